"""Which synthetic worlds the default model is trained and judged on.

A :class:`WorldSpec` names one world (a preset of :mod:`detector.simulate`, a seed, a size
and, for a *held-out setting*, field changes the training never saw). A
:class:`CorpusConfig` lists the training worlds and the held-out worlds.

Seeds are partitioned so no world is reused across roles:

* training worlds: seeds 1-99 (full) and 101-199 (small);
* held-out worlds of the same presets: seeds 1001-1099 (full) and 201-299 (small);
* held-out *settings* (variants no training world has): seeds 1101-1199 / 301-399;
* the pinned-floor test (``tests/test_default_model.py``): seeds 7001-7099.

>>> SMALL.name, len(SMALL.train) > 0, len(FULL.train)
('small', True, 12)
>>> FULL.train[0].key()
'easy-s1-n1500'
>>> sorted({s.seed for s in FULL.train} & {s.seed for s in FULL.held_out})
[]
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from detector.simulate import WorldConfig

__all__ = ["WorldSpec", "CorpusConfig", "HELD_OUT_SETTINGS", "SMALL", "FULL", "TEST_HELD_OUT",
           "CONFIGS", "DEFAULT_VERSION", "MODEL_PARAMS"]

#: Version of the shipped default model built by the ``full`` configuration.
DEFAULT_VERSION = "default-2026.11.1"

#: Hyperparameters of the default model (others: LinkSchemeClassifier defaults).
#: ``scheme_estimators`` is below the class default to keep the artifact small.
MODEL_PARAMS: dict[str, Any] = dict(n_estimators=300, max_depth=5, learning_rate=0.1,
                                    scheme_estimators=100, random_state=0, n_jobs=2)

#: Variants of the presets that no training world uses: they test generalisation to
#: operators and profiles the model has not seen, not just to new seeds.
HELD_OUT_SETTINGS: dict[str, tuple[str, dict[str, Any]]] = {
    # careful operators: nearly every footprint hidden, many lookups failing
    "hard_hidden": ("hard", dict(pbn_hiding=0.95, dns_failure=0.08, http_failure=0.2,
                                 rdap_failure=0.15, whois_failure=0.15)),
    # many tiny PBNs (starter packs of 3-8 sites) and a different scheme mix
    "small_networks": ("medium", dict(pbn_size_min=3, pbn_size_max=8, share_pbn=0.05,
                                      share_paid_unqualified=0.08, share_comment_spam=0.08)),
}


@dataclass(frozen=True)
class WorldSpec:
    """One synthetic world: preset, seed, size and (for a held-out setting) changes."""

    preset: str  #: :data:`detector.simulate.PRESETS` name (the difficulty level)
    seed: int  #: world seed
    n_domains: int  #: referring domains
    setting: str = ""  #: name of a held-out setting (:data:`HELD_OUT_SETTINGS`), "" = preset as is

    @property
    def name(self) -> str:
        """The setting's name, or the preset's when the world is the preset itself."""
        return self.setting or self.preset

    def changes(self) -> dict[str, Any]:
        """Field changes to the preset (empty for a plain preset)."""
        if not self.setting:
            return {}
        base, changes = HELD_OUT_SETTINGS[self.setting]
        if base != self.preset:
            raise ValueError(f"setting {self.setting!r} is a variant of {base!r}, not {self.preset!r}")
        return dict(changes)

    def world_config(self) -> WorldConfig:
        """The :class:`WorldConfig` of this world."""
        return WorldConfig.preset(self.preset, n_domains=self.n_domains, seed=self.seed,
                                  **self.changes())

    def key(self) -> str:
        """A file-name-safe identifier (the setting's changes are hashed in)."""
        key = f"{self.name}-s{self.seed}-n{self.n_domains}"
        if self.setting:
            digest = hashlib.sha256(json.dumps(self.changes(), sort_keys=True).encode()).hexdigest()
            key += f"-{digest[:8]}"
        return key

    def to_json(self) -> dict[str, Any]:
        """JSON-ready description (for the model card)."""
        out: dict[str, Any] = dict(preset=self.preset, seed=self.seed, n_domains=self.n_domains)
        if self.setting:
            out.update(setting=self.setting, changes=self.changes())
        return out


def _spec(preset: str, seed: int, n: int) -> WorldSpec:
    if preset in HELD_OUT_SETTINGS:
        return WorldSpec(HELD_OUT_SETTINGS[preset][0], seed, n, setting=preset)
    return WorldSpec(preset, seed, n)


@dataclass(frozen=True)
class CorpusConfig:
    """Training worlds and held-out worlds of one build."""

    name: str  #: ``small`` or ``full``
    train: tuple[WorldSpec, ...]  #: worlds the model learns from
    held_out: tuple[WorldSpec, ...]  #: worlds (new seeds and new settings) it is judged on
    model_params: dict[str, Any] = field(default_factory=lambda: dict(MODEL_PARAMS))

    def to_json(self) -> dict[str, Any]:
        """JSON-ready description (for the model card)."""
        return dict(name=self.name, train=[s.to_json() for s in self.train],
                    held_out=[s.to_json() for s in self.held_out], model_params=self.model_params)


_PRESETS = ("easy", "medium", "hard", "hard_negatives")

#: CI configuration: one small world per difficulty, two held-out worlds (~2 minutes).
SMALL = CorpusConfig(
    name="small",
    train=tuple(_spec(p, 101 + i, 300) for i, p in enumerate(_PRESETS)),
    held_out=(_spec("medium", 201, 300), _spec("hard_hidden", 301, 300)),
    model_params=dict(MODEL_PARAMS, n_estimators=150, scheme_estimators=60),
)

#: The shipped default model: three seeds per difficulty, 1,500 domains each; held out:
#: a new seed per difficulty and both held-out settings.
FULL = CorpusConfig(
    name="full",
    train=tuple(_spec(p, seed, 1500) for p in _PRESETS for seed in (1, 2, 3)),
    held_out=tuple(_spec(p, 1001 + i, 750) for i, p in enumerate(_PRESETS))
    + (_spec("hard_hidden", 1101, 750), _spec("small_networks", 1102, 750)),
)

#: Held-out worlds of the pinned-floor test: seeds no build uses.
TEST_HELD_OUT: tuple[WorldSpec, ...] = (_spec("medium", 7001, 200), _spec("hard_hidden", 7002, 200))

CONFIGS: dict[str, CorpusConfig] = {c.name: c for c in (SMALL, FULL)}
