"""The small fixed world behind ``data/samples/``: exports and labels that agree.

:func:`write_samples` generates the ``samples`` preset and writes the first target's
export files plus ``labels.csv`` flat into one folder (the layout of ``data/samples/``).
"""

from __future__ import annotations

from pathlib import Path

from detector.simulate.config import WorldConfig
from detector.simulate.exports import write_exports
from detector.simulate.generate import generate_world

__all__ = ["write_samples"]


def write_samples(folder: str | Path, *, seed: int | None = None) -> list[Path]:
    """Write the sample exports and ``labels.csv`` of the fixed sample world into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    world = generate_world(WorldConfig.preset("samples", seed=seed))
    written = write_exports(world, folder, world.targets[0])
    labels = world.labels()
    labels = labels[labels["target"] == world.targets[0]]
    labels.to_csv(folder / "labels.csv", index=False, lineterminator="\n")
    return [*written, folder / "labels.csv"]
