"""``detector build-model``: rebuild the default model from served synthetic worlds.

::

    detector build-model [--config small|full] [--out DIR] [--version V]
                         [--cache DIR] [--rebuild] [--report DIR]

``full`` (default) trains the shipped model into ``detector/data/models/<version>``;
``small`` is the CI-sized run and writes to ``./build/models`` unless ``--out`` says
otherwise. Worlds already built are read from the corpus cache (``--cache``, default
``$DETECTOR_CORPUS_CACHE`` or ``~/.cache/detector/corpus``); ``--rebuild`` recomputes them.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

__all__ = ["main", "parser"]


def parser() -> argparse.ArgumentParser:
    """The argument parser of ``detector build-model``."""
    p = argparse.ArgumentParser(prog="detector build-model",
                                description="Train and evaluate the default model on synthetic worlds.")
    p.add_argument("--config", choices=("small", "full"), default="full",
                   help="corpus configuration (default: full, the shipped model)")
    p.add_argument("--out", help="registry folder; the artifact goes to OUT/<version> "
                                 "(default: detector/data/models for full, build/models for small)")
    p.add_argument("--version", help="artifact version (default: default-2026.11.1 for full)")
    p.add_argument("--cache", help="corpus cache folder")
    p.add_argument("--rebuild", action="store_true", help="recompute cached worlds")
    p.add_argument("--report", help="folder for the held-out report (default: <artifact>/evaluation)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the build; 0 on success, 2 on a usage error (argparse), 1 on failure."""
    args = parser().parse_args(argv)
    from detector.errors import DetectorError
    from detector.training.build import build_default_model

    began = time.perf_counter()

    def say(message: str) -> None:
        print(f"[{time.perf_counter() - began:6.0f} s] {message}", flush=True)

    try:
        result = build_default_model(args.config, args.out, version=args.version,
                                     cache_dir=args.cache, rebuild=args.rebuild,
                                     report_dir=args.report, progress=say)
    except (DetectorError, OSError, ValueError) as exc:
        print(f"build-model failed: {exc}", file=sys.stderr)
        return 1
    print(result.report.overall.to_string(float_format=lambda v: f"{v:.3f}"))
    print(f"artifact: {result.artifact}\nreport: {result.report_dir}\n"
          f"total {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
