"""The :class:`World`: three tables in memory, written to and read from a folder.

Folder layout written by :meth:`World.write`::

    world/config.json            the WorldConfig (seed included): regenerates the world
    world/domains.parquet        one row per served domain (targets, referring, money sites)
    world/links.parquet          one row per true link to a target
    world/networks.parquet       one row per PBN and its operator's footprints
    labels.csv                   ground truth per referring domain
    exports/<target>/...         every tool export of the target (see exports.py)
    dns/zones.db                 every record in master-file format (absolute names)
    dns/unbound-local.conf       the same as unbound local-zone / local-data lines
    registration/rdap.jsonl.gz   one RFC 9083 domain object per line
    registration/whois.jsonl.gz  {"domain", "style", "text"} per line
    pages/<host>/<path>/index.html   rendered pages (only up to write_pages_limit domains)

Files are written byte-reproducibly (fixed gzip/zip times, sorted rows).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from detector.simulate.config import WorldConfig
from detector.simulate.generate import FOOTPRINTS

__all__ = ["World", "load_world", "LABEL_COLUMNS"]

LABEL_COLUMNS = ("domain", "toxic", "scheme", "network_id", "kind", "target", "expired_reuse", "privacy",
                 *[f"fp_{fp}" for fp in FOOTPRINTS], "dns_failure", "http_failure", "rdap_failure",
                 "whois_failure")


@dataclass
class World:
    """A generated world: its config and its tables (see ``docs/simulation.md``)."""

    config: WorldConfig  #: the config that generated it (regenerates it exactly)
    domains: pd.DataFrame  #: one row per served domain
    links: pd.DataFrame  #: one row per true link to a target
    networks: pd.DataFrame  #: one row per PBN
    _index: object = field(default=None, repr=False, compare=False)

    @property
    def targets(self) -> list[str]:
        """The target sites, in generation order."""
        return self.domains.loc[self.domains["role"] == "target", "domain"].tolist()

    @property
    def referring(self) -> pd.DataFrame:
        """Rows of the referring domains only."""
        return self.domains[self.domains["role"] == "referring"]

    def site_index(self) -> "SiteIndex":  # noqa: F821
        """The (cached) look-up index used to render pages and records."""
        if self._index is None:
            from detector.simulate.pages import SiteIndex

            self._index = SiteIndex(self)
        return self._index  # type: ignore[return-value]

    def labels(self) -> pd.DataFrame:
        """Ground truth per referring domain, sorted by domain, with the difficulty knobs."""
        lab = self.referring.loc[:, list(LABEL_COLUMNS)].sort_values("domain").reset_index(drop=True)
        lab["preset"] = self.config.preset_name
        lab["pbn_hiding"] = self.config.pbn_hiding
        lab["seed"] = self.config.seed
        return lab

    def tlds(self) -> list[str]:
        """Public suffixes used by the world's domains."""
        return sorted(self.domains["tld"].unique().tolist())

    # ------------------------------------------------------------------ I/O
    def write(self, folder: str | Path, *, pages: bool | None = None, records: bool = True) -> Path:
        """Write the world to ``folder`` (created). ``pages=None``: only for small worlds."""
        from detector.simulate.exports import write_exports
        from detector.simulate.records import rdap_json_line, whois_text, zone_file_lines

        folder = Path(folder)
        (folder / "world").mkdir(parents=True, exist_ok=True)
        (folder / "world" / "config.json").write_text(
            json.dumps(self.config.to_json(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
        self.domains.to_parquet(folder / "world" / "domains.parquet", index=False)
        self.links.to_parquet(folder / "world" / "links.parquet", index=False)
        self.networks.to_parquet(folder / "world" / "networks.parquet", index=False)
        self.labels().to_csv(folder / "labels.csv", index=False, lineterminator="\n")
        for target in self.targets:
            write_exports(self, folder / "exports" / target, target)
        if records:
            idx = self.site_index()
            order = sorted(range(len(idx.names)), key=idx.names.__getitem__)
            (folder / "dns").mkdir(exist_ok=True)
            with open(folder / "dns" / "zones.db", "w", encoding="utf-8", newline="\n") as f:
                f.write("; synthetic link world: every zone, absolute names\n$TTL 3600\n")
                for i in order:
                    f.write("\n".join(zone_file_lines(idx.row(i))) + "\n")
            from detector.simulate.unbound import write_local_data

            write_local_data(self, folder / "dns" / "unbound-local.conf")
            (folder / "registration").mkdir(exist_ok=True)
            with _gz(folder / "registration" / "rdap.jsonl.gz") as f:
                for i in order:
                    f.write((rdap_json_line(idx.row(i), "http://127.0.0.1/") + "\n").encode())
            with _gz(folder / "registration" / "whois.jsonl.gz") as f:
                for i in order:
                    r = idx.row(i)
                    f.write((json.dumps({"domain": r["domain"], "style": r["whois_style"], "text": whois_text(r)},
                                        sort_keys=True) + "\n").encode())
        if pages is None:
            pages = len(self.domains) <= self.config.write_pages_limit
        if pages:
            self.write_pages(folder / "pages")
        return folder

    def write_pages(self, folder: str | Path) -> int:
        """Render every known page of every domain into ``folder``; returns the page count."""
        idx = self.site_index()
        folder = Path(folder)
        count = 0
        for i, name in enumerate(idx.names):
            host = idx.canonical_host(i)
            paths = {"/", "/robots.txt", *idx.paths_of.get(name, [])}
            r = idx.row(i)
            if r["has_about"]:
                paths.add("/about/")
            if r["has_contact"]:
                paths.add("/contact/")
            if r["role"] == "target":
                paths.add("/partners/")
            for path in sorted(paths):
                page = idx.render(host, path)
                rel = path.strip("/")
                out = folder / host / rel if path.endswith(".txt") or path.endswith(".html") else \
                    folder / host / rel / "index.html"
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(page.body)
                count += 1
        return count

    @classmethod
    def read(cls, folder: str | Path) -> "World":
        """Read a world written by :meth:`write` (tables only; pages render on request)."""
        folder = Path(folder)
        cfg_path = folder / "world" / "config.json"
        if not cfg_path.exists():
            raise FileNotFoundError(f"{cfg_path}: not a world folder (expected world/config.json)")
        cfg = WorldConfig.from_json(json.loads(cfg_path.read_text(encoding="utf-8")))
        tables = {}
        for name in ("domains", "links", "networks"):
            frame = pd.read_parquet(folder / "world" / f"{name}.parquet")
            for c in frame.columns:  # parquet keeps ms resolution: restore seconds
                if isinstance(frame[c].dtype, pd.DatetimeTZDtype):
                    frame[c] = frame[c].astype("datetime64[s, UTC]")
            tables[name] = frame
        return cls(config=cfg, **tables)


def load_world(folder: str | Path) -> World:
    """Same as :meth:`World.read`."""
    return World.read(folder)


class _gz:
    """A gzip file with mtime 0 and no file name (reproducible bytes)."""

    def __init__(self, path: Path) -> None:
        self.raw = open(path, "wb")
        self.gz = gzip.GzipFile(filename="", mode="wb", fileobj=self.raw, mtime=0, compresslevel=6)

    def __enter__(self) -> gzip.GzipFile:
        return self.gz

    def __exit__(self, *exc: object) -> None:
        self.gz.close()
        self.raw.close()
