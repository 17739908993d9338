"""IANA's RDAP bootstrap registry: which RDAP server answers for which TLD.

RDAP (RFC 9083) has no single root server; IANA publishes, per RFC 9224, JSON files that
map TLDs (``dns.json``), address blocks (``ipv4.json``, ``ipv6.json``) and AS numbers
(``asn.json``) to the base URLs of the servers responsible for them. A snapshot of those
files ships in ``detector/data/rdap/`` so lookups work offline and reproducibly;
:func:`refresh_bootstrap` (the ``detector refresh-rdap`` command) replaces it with a fresh
download after validating every file.

>>> base = rdap_base_for("example.com")
>>> base.startswith("https://") and base.endswith("/")
True
>>> rdap_base_for("example.invalid-tld-nobody-has") is None
True
>>> rdap_base_for("shop.example.co.uk", {"uk": "https://rdap.uk.test/", "co.uk": "https://co.test"})
'https://co.test/'
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = [
    "BOOTSTRAP_FILES",
    "IANA_RDAP_BASE_URL",
    "BootstrapError",
    "bundled_bootstrap_dir",
    "load_bootstrap_file",
    "dns_bootstrap",
    "bootstrap_publication",
    "rdap_base_for",
    "validate_bootstrap",
    "refresh_bootstrap",
    "refresh_bootstrap_async",
]

#: The registry files IANA publishes, all refreshed together.
BOOTSTRAP_FILES: tuple[str, ...] = ("dns.json", "ipv4.json", "ipv6.json", "asn.json")
#: Where IANA publishes them.
IANA_RDAP_BASE_URL = "https://data.iana.org/rdap/"


class BootstrapError(ValueError):
    """A bootstrap file is not a valid RFC 9224 registry (names the file and the problem)."""


def bundled_bootstrap_dir() -> Path:
    """The directory of the snapshot shipped with the package (``detector/data/rdap``)."""
    return Path(str(resources.files("detector").joinpath("data", "rdap")))


def load_bootstrap_file(name: str = "dns.json", directory: str | Path | None = None) -> dict[str, Any]:
    """Read and validate one bootstrap file (from ``directory`` or the shipped snapshot)."""
    if directory is None:
        text = resources.files("detector").joinpath("data", "rdap", name).read_text("utf-8")
        where = f"detector/data/rdap/{name}"
    else:
        path = Path(directory) / name
        text = path.read_text("utf-8")
        where = str(path)
    return validate_bootstrap(text, where)


def validate_bootstrap(text: str | bytes, where: str = "<bootstrap>") -> dict[str, Any]:
    """Parse ``text`` and check it is an RFC 9224 registry; return the parsed object.

    Raises :class:`BootstrapError` naming ``where`` and the first problem found.

    >>> validate_bootstrap('{"version": "1.0", "publication": "2026-01-01T00:00:00Z",'
    ...     ' "services": [[["com"], ["https://rdap.example/"]]]}')["services"][0][0]
    ['com']
    >>> validate_bootstrap('{"services": []}', "dns.json")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    ...
    detector.enrich.bootstrap.BootstrapError: dns.json: expected a "version" member (RFC 9224 section 3)
    """
    try:
        obj = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BootstrapError(f"{where}: not valid JSON ({exc})") from None
    if not isinstance(obj, dict):
        raise BootstrapError(f"{where}: expected a JSON object at the top level")
    for member in ("version", "publication", "services"):
        if member not in obj:
            raise BootstrapError(f'{where}: expected a "{member}" member (RFC 9224 section 3)')
    services = obj["services"]
    if not isinstance(services, list) or not services:
        raise BootstrapError(f'{where}: expected "services" to be a non-empty list')
    for i, service in enumerate(services):
        ok = (
            isinstance(service, list)
            and len(service) >= 2
            and isinstance(service[0], list)
            and isinstance(service[-1], list)
            and all(isinstance(k, str) and k for k in service[0])
            and service[-1]
            and all(isinstance(u, str) and u.startswith(("http://", "https://")) for u in service[-1])
        )
        if not ok:
            raise BootstrapError(
                f"{where}: services[{i}]: expected [[entries...], [http(s) URLs...]], got {service!r:.120}"
            )
    return obj


def _services_to_map(obj: Mapping[str, Any]) -> dict[str, str]:
    """Map each entry to its preferred base URL (HTTPS first), with a trailing slash."""
    out: dict[str, str] = {}
    for service in obj["services"]:
        urls = list(service[-1])
        urls.sort(key=lambda u: not u.startswith("https://"))
        for entry in service[0]:
            out[entry.lower().rstrip(".")] = _with_slash(urls[0])
    return out


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


@lru_cache(maxsize=1)
def dns_bootstrap() -> dict[str, str]:
    """TLD -> RDAP base URL from the shipped ``dns.json`` (HTTPS preferred)."""
    return _services_to_map(load_bootstrap_file("dns.json"))


def bootstrap_publication(name: str = "dns.json", directory: str | Path | None = None) -> str:
    """The ``publication`` timestamp of a bootstrap file (shipped snapshot by default)."""
    return str(load_bootstrap_file(name, directory)["publication"])


def rdap_base_for(domain: str, bootstrap: Mapping[str, str] | None = None) -> str | None:
    """The RDAP base URL (ending in ``/``) for ``domain``, or None when no server is known.

    The longest matching entry wins (RFC 9224 section 4: ``co.uk`` before ``uk``).
    ``bootstrap`` overrides the shipped snapshot (``NetworkConfig.rdap_bootstrap``).
    """
    table = dns_bootstrap() if bootstrap is None else {k.lower().rstrip("."): v for k, v in bootstrap.items()}
    labels = domain.lower().strip().rstrip(".").split(".")
    for start in range(len(labels)):
        base = table.get(".".join(labels[start:]))
        if base:
            return _with_slash(base)
    return None


async def refresh_bootstrap_async(dest_dir: str | Path, base_url: str = IANA_RDAP_BASE_URL, *,
                                  timeout: float = 30.0, max_bytes: int = 5_000_000,
                                  user_agent: str = "linkdetector/0.1 (rdap bootstrap refresh)") -> dict[str, str]:
    """Download every bootstrap file, validate all of them, then replace those in ``dest_dir``.

    Nothing is replaced unless every file downloaded and validated, and each file is
    replaced atomically (written beside it, then renamed). Returns file -> publication.
    Raises :class:`BootstrapError` (bad content) or ``OSError``/``aiohttp.ClientError``
    (download failed) with the URL in the message.
    """
    import aiohttp

    dest = Path(dest_dir)
    base = _with_slash(base_url)
    bodies: dict[str, bytes] = {}
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    async with aiohttp.ClientSession(timeout=client_timeout, headers={"User-Agent": user_agent}) as session:
        for name in BOOTSTRAP_FILES:
            url = base + name
            try:
                async with session.get(url) as resp:
                    if resp.status != 200:
                        raise BootstrapError(f"{url}: HTTP {resp.status}, expected 200")
                    body = await resp.content.read(max_bytes + 1)
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                raise OSError(f"{url}: download failed ({type(exc).__name__}: {exc})") from exc
            if len(body) > max_bytes:
                raise BootstrapError(f"{url}: larger than {max_bytes} bytes")
            validate_bootstrap(body, url)
            bodies[name] = body
    dest.mkdir(parents=True, exist_ok=True)
    published: dict[str, str] = {}
    staged: list[tuple[str, Path]] = []
    try:
        for name, body in bodies.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=dest)
            with os.fdopen(fd, "wb") as fh:
                fh.write(body)
            staged.append((name, Path(tmp)))
        for name, tmp in staged:
            os.replace(tmp, dest / name)
            published[name] = str(json.loads(bodies[name])["publication"])
    finally:
        for _, tmp in staged:
            if tmp.exists():
                tmp.unlink()
    if dest.resolve() == bundled_bootstrap_dir().resolve():
        dns_bootstrap.cache_clear()
    return published


def refresh_bootstrap(dest_dir: str | Path | None = None, base_url: str = IANA_RDAP_BASE_URL,
                      **kwargs: Any) -> dict[str, str]:
    """Synchronous :func:`refresh_bootstrap_async`; ``dest_dir`` defaults to the shipped snapshot.

    This is what ``detector refresh-rdap`` runs. Returns file -> publication timestamp.
    """
    dest = bundled_bootstrap_dir() if dest_dir is None else dest_dir
    return asyncio.run(refresh_bootstrap_async(dest, base_url, **kwargs))
