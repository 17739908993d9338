"""The ``detector`` command: a thin shell over the library (no logic of its own).

    detector score EXPORT... [--out domains.csv] [--disavow disavow.txt] [--existing old.txt]
                             [--allow allowlist.txt] [--offline] [--target SITE] [--strict]
    detector disavow REVIEWED.csv --out disavow.txt [--existing old.txt] [--allow allow.txt]
    detector train EXPORT... --labels reviewed.csv | --disavow-labels old.txt [--allow allow.txt]
    detector formats
    detector simulate ...          (synthetic labelled worlds; see ``detector simulate -h``)
    detector build-model [--config small|full]   (train the default model on synthetic worlds)
    detector refresh-rdap [DIR]    (download IANA's RDAP bootstrap files)
    detector app                   (the Streamlit app)

Errors the user can fix (a bad file, an invalid disavow result) print one clear message
and exit with status 2; nothing already written is left half-done.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from detector import __version__
from detector.errors import DetectorError

__all__ = ["main"]


class _Bars:
    """tqdm progress bars, one per stage, fed by the library's progress callback."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bars: dict[str, object] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        bar = self.bars.get(stage)
        if bar is None:
            bar = self.bars[stage] = tqdm(total=total, desc=f"{stage:<12}", unit="item",
                                          file=sys.stderr, leave=True)
        bar.total = total
        bar.n = done
        bar.refresh()

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


def _network_config(args: argparse.Namespace):
    from detector.enrich.base import load_network_config

    config = load_network_config(args.network_config)
    if args.dns_server:
        config.dns_servers = list(args.dns_server)
    if args.dns_port:
        config.dns_port = args.dns_port
    return config


def _cmd_score(args: argparse.Namespace) -> int:
    from detector.disavow import write_disavow
    from detector.output import write_table
    from detector.pipeline import audit_exports, disavow_for

    bars = _Bars(not args.quiet)
    try:
        audit = audit_exports(
            args.exports,
            target=args.target,
            offline=args.offline,
            network=None if args.offline else _network_config(args),
            cache_path=args.cache,
            strict=args.strict,
            progress=bars,
        )
    finally:
        bars.close()
    print(audit.summary())
    for problem in audit.ingest.problems[:20]:
        print(f"  row problem: {problem}")
    if len(audit.ingest.problems) > 20:
        print(f"  ... and {len(audit.ingest.problems) - 20} more row problems")
    if args.out:
        write_table(audit.domains, args.out)
        print(f"wrote {len(audit.domains):,} referring domains to {args.out}")
    if args.disavow:
        merged = disavow_for(audit.domains, existing=args.existing, allowlist=args.allow,
                             level=args.level, backlinks=audit.backlinks)
        write_disavow(merged.file, args.disavow)
        print(merged.summary)
        print(f"wrote {args.disavow}")
    return 0


def _cmd_disavow(args: argparse.Namespace) -> int:
    from detector.disavow import write_disavow
    from detector.pipeline import disavow_for
    from detector.review import read_reviewed

    domains = read_reviewed(args.reviewed)
    merged = disavow_for(domains, existing=args.existing, allowlist=args.allow,
                         remove=args.remove or ())
    write_disavow(merged.file, args.out)
    print(merged.summary)
    print(f"wrote {args.out}")
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    from detector.errors import ModelError
    from detector.model import (
        labels_from_csv,
        labels_from_disavow,
        load_default_model,
        train_from_labels,
    )
    from detector.pipeline import audit_exports

    if args.labels:
        labels = labels_from_csv(args.labels)
    elif args.disavow_labels:
        labels = labels_from_disavow(args.disavow_labels, args.allow)
    else:
        raise DetectorError("detector train needs --labels REVIEWED.csv or --disavow-labels FILE")
    bars = _Bars(not args.quiet)
    try:
        audit = audit_exports(args.exports, target=args.target, offline=args.offline,
                              network=None if args.offline else _network_config(args),
                              cache_path=args.cache, progress=bars)
    finally:
        bars.close()
    try:
        base = load_default_model() if args.base == "default" else None
    except ModelError as exc:
        print(f"no base model to compare with ({exc}); training from scratch")
        base = None
    report = train_from_labels(audit.domains, labels, base_model=base, mode=args.mode,
                               cv=args.cv, models_dir=args.models_dir)
    print(report.to_text())
    return 0


def _cmd_formats(_args: argparse.Namespace) -> int:
    from detector.ingest import known_formats

    for fmt in known_formats():
        print(f"{fmt.describe()}   ({fmt.title})")
    return 0


def _cmd_simulate(argv: Sequence[str]) -> int:
    from detector.simulate.cli import main as simulate_main

    return simulate_main(list(argv))


def _cmd_build_model(argv: Sequence[str]) -> int:
    from detector.training.cli import main as build_model_main

    return build_model_main(list(argv))


def _cmd_refresh_rdap(args: argparse.Namespace) -> int:
    from detector.enrich.bootstrap import refresh_bootstrap

    written = refresh_bootstrap(args.dest)
    print(f"refreshed RDAP bootstrap files in {args.dest or 'the shipped snapshot'}: {written}")
    return 0


def _cmd_app(args: argparse.Namespace) -> int:
    from detector.ui.launch import launch

    return launch(args.address, args.port)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``detector`` command."""
    parser = argparse.ArgumentParser(
        prog="detector",
        description="Find toxic links and link schemes in backlink exports; write disavow.txt.",
    )
    parser.add_argument("--version", action="version", version=f"detector {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    score = sub.add_parser("score", help="score the referring domains of one or more exports")
    score.add_argument("exports", nargs="+", type=Path, help="export files (any supported format)")
    score.add_argument("--out", type=Path, help="domain table to write (.csv or .parquet)")
    score.add_argument("--disavow", type=Path, help="disavow.txt to write (merged, validated)")
    score.add_argument("--existing", type=Path, help="the disavow file already uploaded to Google")
    score.add_argument("--allow", type=Path, help="allowlist: domains never to disavow")
    score.add_argument("--level", choices=("domain", "url"), default="domain",
                       help="disavow whole domains (default) or only the linking URLs")
    score.add_argument("--target", help="the audited site (default: inferred from the exports)")
    score.add_argument("--offline", action="store_true",
                       help="no network lookups: judge on export signals (and the cache)")
    score.add_argument("--cache", type=Path, default=None, help="SQLite lookup cache file")
    score.add_argument("--network-config", type=Path, default=None,
                       help="JSON file of NetworkConfig fields (servers, ports, timeouts, rates); "
                            "default: $LINKDETECTOR_NETWORK, else the real internet's")
    score.add_argument("--dns-server", action="append", help="DNS server to ask (repeatable)")
    score.add_argument("--dns-port", type=int, default=None, help="port of the DNS servers")
    score.add_argument("--strict", action="store_true", help="malformed rows are fatal")
    score.add_argument("--quiet", action="store_true", help="no progress bars")
    score.set_defaults(func=_cmd_score)

    disavow = sub.add_parser("disavow", help="build or merge disavow.txt from a reviewed domain CSV")
    disavow.add_argument("reviewed", type=Path, help="CSV with domain, verdict and optional decision")
    disavow.add_argument("--out", type=Path, required=True, help="disavow.txt to write")
    disavow.add_argument("--existing", type=Path, help="the disavow file already uploaded")
    disavow.add_argument("--allow", type=Path, help="allowlist: domains never to disavow")
    disavow.add_argument("--remove", action="append", help="existing entry to drop (repeatable)")
    disavow.set_defaults(func=_cmd_disavow)

    train = sub.add_parser("train", help="train a new model version on your own labels")
    train.add_argument("exports", nargs="+", type=Path, help="the exports the labelled domains come from")
    labels = train.add_mutually_exclusive_group(required=True)
    labels.add_argument("--labels", type=Path, help="reviewed CSV: domain + verdict/decision")
    labels.add_argument("--disavow-labels", type=Path,
                        help="a disavow file whose domains are positives (with --allow as negatives)")
    train.add_argument("--allow", type=Path, help="allowlist: domains that are negatives")
    train.add_argument("--base", choices=("default", "none"), default="default",
                       help="compare with (and fine-tune from) the shipped default model")
    train.add_argument("--mode", choices=("retrain", "finetune"), default="retrain")
    train.add_argument("--cv", type=int, default=5, help="cross-validation folds")
    train.add_argument("--models-dir", type=Path, default=None, help="where to save the new version")
    train.add_argument("--target", help="the audited site (default: inferred)")
    train.add_argument("--offline", action="store_true", help="features from the exports only")
    train.add_argument("--cache", type=Path, default=None)
    train.add_argument("--network-config", type=Path, default=None)
    train.add_argument("--dns-server", action="append")
    train.add_argument("--dns-port", type=int, default=None)
    train.add_argument("--quiet", action="store_true")
    train.set_defaults(func=_cmd_train)

    formats = sub.add_parser("formats", help="list the export formats the detector reads")
    formats.set_defaults(func=_cmd_formats)

    sub.add_parser("simulate", help="generate (and serve) a labelled synthetic link world",
                   add_help=False)

    sub.add_parser("build-model", help="train the default model on synthetic worlds (see -h)",
                   add_help=False)

    refresh = sub.add_parser("refresh-rdap", help="download IANA's RDAP bootstrap registry")
    refresh.add_argument("dest", type=Path, nargs="?", default=None,
                         help="folder to write dns.json, ipv4.json ... into (default: the shipped snapshot)")
    refresh.set_defaults(func=_cmd_refresh_rdap)

    app = sub.add_parser("app", help="open the Streamlit app")
    app.add_argument("--address", default="127.0.0.1")
    app.add_argument("--port", type=int, default=8501)
    app.set_defaults(func=_cmd_app)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    handler: Callable[[], int]
    if argv and argv[0] == "simulate":
        handler = lambda: _cmd_simulate(argv[1:])  # noqa: E731  (its own parser)
    elif argv and argv[0] == "build-model":
        handler = lambda: _cmd_build_model(argv[1:])  # noqa: E731  (its own parser)
    else:
        args = build_parser().parse_args(argv)
        handler = lambda: args.func(args)  # noqa: E731
    try:
        return handler()
    except DetectorError as exc:
        print(f"detector: error: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"detector: error: {exc.filename}: no such file", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
