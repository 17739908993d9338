"""The main job as one call: exports in, judged referring domains out, then disavow.

``audit_exports`` runs the stages of DESIGN.md in order — ingest, export signals,
enrichment (unless offline), verdicts — and returns an :class:`Audit` holding every
intermediate frame, so the CLI, the app and notebooks show the same thing. ``disavow_for``
turns judged domains into a merged, validated disavow file.

The stages themselves live in their own modules; this one only wires them.
"""

from __future__ import annotations

import functools
import time
import warnings
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from detector.disavow import (
    MAX_BYTES,
    MAX_LINES,
    DisavowEntry,
    DisavowFile,
    MergeResult,
    build_disavow,
    merge_disavow,
    render_disavow,
)
from detector.ingest import IngestReport, read_exports
from detector.schema import DOM, DOMAIN, SUSPICIOUS, TOXIC, VERDICTS
from detector.signals.export import compute_export
from detector.signals.target import TargetSite, infer_target
from detector.verdicts.rules import rule_verdicts

__all__ = ["Audit", "audit_exports", "judge", "disavow_for", "Progress"]

#: ``progress(stage, done, total)``: called as work advances; stages are
#: ``read``, ``signals``, ``dns``/``registration``/``pages`` (lookups) and ``verdicts``.
Progress = Callable[[str, int, int], None]


@dataclass
class Audit:
    """Everything one audit produced, stage by stage."""

    backlinks: pd.DataFrame  #: canonical Backlinks frame, duplicates removed
    domains: pd.DataFrame  #: one row per referring domain: features, verdict, reasons
    ingest: IngestReport  #: what each file was, rows read, problems, duplicates
    target: TargetSite | None  #: the audited site (inferred or given)
    evidence: pd.DataFrame = field(default_factory=pd.DataFrame)  #: quotable terms per domain
    lookups: Any = None  #: enrichment result when lookups ran (None offline)
    networks: Any = None  #: :class:`detector.network.NetworkResult`: groups of referring domains

    def summary(self) -> str:
        """A few lines a person reads first: files, rows, domains, verdicts."""
        lines = []
        for result in self.ingest.results:
            formats = ", ".join(result.formats)
            lines.append(f"{result.source}: {formats}, {result.rows:,} rows"
                         + (f", {result.dropped_rows} malformed rows skipped"
                            if result.dropped_rows else ""))
        for error in self.ingest.errors:
            lines.append(f"NOT READ {error}")
        lines.append(f"{len(self.backlinks):,} links ({self.ingest.duplicates_removed:,} "
                     f"duplicates removed) from {len(self.domains):,} referring domains")
        if self.target is not None and self.target.registrable_domain:
            lines.append(f"target site: {self.target.registrable_domain}")
        if self.networks is not None and len(self.networks.networks):
            sizes = self.networks.networks["size"]
            lines.append(f"networks: {len(sizes)} (largest {int(sizes.max())} domains, "
                         f"{int(sizes.sum())} domains in networks)")
        if DOM.VERDICT in self.domains:
            counts = self.domains[DOM.VERDICT].value_counts()
            lines.append("verdicts: " + ", ".join(f"{v} {int(counts.get(v, 0)):,}" for v in VERDICTS))
        return "\n".join(lines)


@contextmanager
def _timed(timings: dict[str, float] | None, stage: str):
    start = time.perf_counter()
    yield
    if timings is not None:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start


def audit_exports(
    exports: Iterable[Any],
    *,
    target: TargetSite | str | None = None,
    offline: bool = True,
    network: Any = None,
    cache_path: str | Path | None = None,
    strict: bool = False,
    progress: Progress | None = None,
    timings: dict[str, float] | None = None,
    now: Any = None,
    hosting_ranges: Any = None,
) -> Audit:
    """Read ``exports`` and judge every referring domain.

    ``exports``: paths, file objects or ``(name, bytes)`` pairs, in any supported format.
    ``target``: the audited site (a domain, or a :class:`TargetSite`); inferred from the
    exports' target URLs when None. ``offline=True`` makes no network call and judges on
    export signals alone (plus nothing else); otherwise DNS, registration and page
    lookups run with ``network`` (a :class:`detector.enrich.base.NetworkConfig`) and are
    cached in ``cache_path``. ``timings``, when given, receives seconds per stage.
    ``now`` (a timestamp) anchors registration ages (default: the clock);
    ``hosting_ranges`` replaces the shipped CDN / shared-host / parking list (see
    :func:`detector.signals.hosting.load_hosting_ranges`), e.g. for a synthetic world.
    """
    exports = list(exports)
    with _timed(timings, "read"):
        read_progress = (lambda done, total, _label: progress("read", done, total)) if progress else None
        ingest = read_exports(exports, strict=strict, progress=read_progress)
        backlinks = ingest.frame
    if isinstance(target, str):
        target = TargetSite.from_domain(target)
    with _timed(timings, "signals"):
        if target is None:
            target = infer_target(backlinks)
        export = compute_export(backlinks, target=target)
        domains = export.features
        if progress:
            progress("signals", len(domains), len(domains))
    lookups = None
    if not offline:
        with _timed(timings, "lookups"):
            options = {k: v for k, v in (("now", now), ("hosting_ranges", hosting_ranges))
                       if v is not None}
            domains, lookups = _enrich(domains, backlinks, network, cache_path, target, progress,
                                       options)
    with _timed(timings, "networks"):
        # "share of the network already judged toxic" needs a first judgement: the
        # transparent rules give it, the final verdict below then sees the network too
        preliminary = rule_verdicts(domains, evidence=export.evidence, explain=False)
        domains, networks, network_evidence = _networks(domains, backlinks, lookups, preliminary,
                                                        hosting_ranges)
    with _timed(timings, "verdicts"):
        domains = judge(domains, evidence=export.evidence, network_evidence=network_evidence)
        if progress:
            progress("verdicts", len(domains), len(domains))
    return Audit(backlinks=backlinks, domains=domains, ingest=ingest, target=target,
                 evidence=export.evidence, lookups=lookups, networks=networks)


def _networks(domains: pd.DataFrame, backlinks: pd.DataFrame, lookups: Any,
              preliminary: pd.DataFrame, hosting_ranges: Any = None
              ) -> tuple[pd.DataFrame, Any, dict[str, list[str]]]:
    """Group referring domains by shared footprints; add network features and ids.

    Offline, only the export's own footprints (title patterns, URL schemes, first-seen
    bursts) are available; with lookups, hosting, registration and page footprints join.
    """
    from detector.network import (
        domain_evidence,
        export_footprints,
        find_networks,
        first_seen_by_domain,
        interlinks_from_pages,
        network_features,
    )

    referring = domains[DOMAIN].tolist()
    prints = [export_footprints(backlinks)]
    interlinks = None
    if lookups is not None:
        from detector.signals.content import content_footprints
        from detector.signals.hosting import hosting_footprints
        from detector.signals.registration import registration_footprints

        found = lookups.lookups
        prints += [hosting_footprints(found.get("dns", {}), ranges=hosting_ranges),
                   registration_footprints(found.get("registration", {})),
                   content_footprints(found.get("pages", {}))]
        interlinks = interlinks_from_pages(found.get("pages", {}), referring)
    result = find_networks(prints, domains=referring, interlinks=interlinks,
                           first_seen=first_seen_by_domain(backlinks))
    features = network_features(result, verdicts=preliminary[[DOMAIN, DOM.VERDICT]])
    features = features.merge(result.memberships, on=DOMAIN, how="left")
    domains = domains.merge(features, on=DOMAIN, how="left")
    return domains, result, domain_evidence(result)


def _enrich(domains: pd.DataFrame, backlinks: pd.DataFrame, network: Any,
            cache_path: str | Path | None, target: TargetSite | None,
            progress: Progress | None, options: Mapping[str, Any]) -> tuple[pd.DataFrame, Any]:
    """Add lookup features (DNS, registration, pages) to the export features."""
    from detector.enrich.base import NetworkConfig
    from detector.enrich.run import enrich

    result = enrich(
        domains[DOMAIN].tolist(),
        backlinks=backlinks,
        config=network or NetworkConfig(),
        cache_path=cache_path,
        target=target,
        progress=progress,
        **options,
    )
    features = result.features
    merged = domains.merge(features, on=DOMAIN, how="left", suffixes=("", "_lookup"))
    return merged, result


def judge(domains: pd.DataFrame, *, evidence: pd.DataFrame | None = None,
          network_evidence: Mapping[str, list[str]] | None = None,
          model: Any = "default") -> pd.DataFrame:
    """Add verdict columns (probability, verdict, scheme, reasons, model version).

    ``model="default"`` uses the shipped XGBoost default model when there is one, and the
    transparent rules of :mod:`detector.verdicts.rules` otherwise; ``model=None`` forces
    the rules; a :class:`detector.model.LinkSchemeClassifier` is used as given. Feature
    columns the model knows but this run did not compute (offline: every lookup family)
    count as not looked up, and the reasons say so.
    """
    if isinstance(model, str) and model == "default":
        model = default_model()
    if model is None:
        return rule_verdicts(domains, evidence=evidence)
    from detector.model import score_domains

    scored = score_domains(domains, model, evidence=network_evidence, fill_missing=True)
    return _quote_export_evidence(scored, evidence)


def _quote_export_evidence(scored: pd.DataFrame, evidence: pd.DataFrame | None) -> pd.DataFrame:
    """Put the words a person can check first in the reasons of flagged domains.

    The model's reasons name features ("largest theme share: 1"); the export evidence
    names what was found (``gambling terms: slot gacor, togel``; ``money anchors: ...``).
    """
    if evidence is None or evidence.empty or DOM.REASONS not in scored:
        return scored
    columns = [c for c in evidence.columns if c != DOMAIN]
    labels = {c: (c.removeprefix("terms_") + " terms") if c.startswith("terms_")
              else c.replace("_", " ") for c in columns}
    quoted = evidence.set_index(DOMAIN)[columns].astype("string").fillna("")
    text = pd.Series("", index=quoted.index, dtype="object")
    for column in columns:
        found = quoted[column] != ""
        text[found] = text[found] + labels[column] + ": " + quoted.loc[found, column] + "; "
    flagged = scored[DOM.VERDICT].isin([TOXIC, SUSPICIOUS])
    prefix = scored[DOMAIN].map(text).fillna("")
    out = scored.copy()
    out.loc[flagged, DOM.REASONS] = (prefix[flagged] + out.loc[flagged, DOM.REASONS].fillna(""))
    return out


@functools.lru_cache(maxsize=1)
def default_model() -> Any:
    """The shipped default model, or None when none is shipped (then rules judge)."""
    from detector.errors import ModelError
    from detector.model import load_default_model

    try:
        return load_default_model()
    except ModelError:
        return None


def disavow_for(
    domains: pd.DataFrame,
    *,
    existing: Any = None,
    allowlist: Any = None,
    remove: Iterable[str] = (),
    level: str = "domain",
    backlinks: pd.DataFrame | None = None,
    decisions: Mapping[str, str] | None = None,
) -> MergeResult:
    """Build the disavow entries for ``domains`` and merge them with ``existing``.

    ``decisions`` (domain -> ``keep``/``disavow``) override verdicts, as do a ``decision``
    column already in ``domains``. Allowlisted domains are never added; existing entries
    are kept unless listed in ``remove``. The result validates; write it with
    ``detector.disavow.write_disavow(result.file, path)``.
    """
    if decisions:
        domains = domains.copy()
        mapped = domains[DOMAIN].map(dict(decisions))
        if DOM.DECISION in domains:
            mapped = mapped.fillna(domains[DOM.DECISION])
        domains[DOM.DECISION] = mapped
    fresh = build_disavow(domains, level=level, backlinks=backlinks)
    # Per-entry reason comments are for people; Google's limits count them. Drop the new
    # entries' comments rather than fail; if it is still too large, validation says so.
    # (Checked on the new entries first: a merge of 10^4+ entries is the costly step.)
    if not _within_limits(fresh):
        return merge_disavow(existing, _without_comments(fresh), allowlist=allowlist, remove=remove)
    merged = merge_disavow(existing, fresh, allowlist=allowlist, remove=remove)
    if _within_limits(merged.file):
        return merged
    return merge_disavow(existing, _without_comments(fresh), allowlist=allowlist, remove=remove)


def _without_comments(fresh: DisavowFile) -> DisavowFile:
    warnings.warn("disavow file over Google's size limits with a reason above every entry; "
                  "the new entries are written without their reason comments", stacklevel=3)
    return DisavowFile(tuple(DisavowEntry(e.kind, e.value) for e in fresh.entries),
                       header=fresh.header)


def _within_limits(file: DisavowFile) -> bool:
    text = render_disavow(file)
    return len(text.encode("utf-8")) <= MAX_BYTES and text.count("\n") <= MAX_LINES

