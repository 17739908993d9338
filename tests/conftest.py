"""Test-wide guards and shared fixtures.

The socket guard (pytest-socket, configured in pyproject.toml with
``--allow-hosts=127.0.0.0/8,::1,localhost``) fails any test that connects beyond loopback.
``.ci/run`` adds a second guard: the suite runs in a network namespace with only ``lo``.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def samples_dir() -> Path:
    """The bundled sample exports."""
    return SAMPLES


@pytest.fixture
def handmade_dir() -> Path:
    """Hand-made exports of one fictional site in every format (ingest edge cases)."""
    return FIXTURES / "exports" / "handmade"


@pytest.fixture
def fixtures_dir() -> Path:
    """Test fixtures (real WHOIS responses, hand-made exports)."""
    return FIXTURES


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` right now."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@pytest.fixture
def served_small_world(tmp_path, monkeypatch):
    """A 60-domain synthetic world served on loopback, with ``$LINKDETECTOR_NETWORK``
    pointing at it: yields ``(exports by file name, network-config JSON path)``."""
    import dataclasses
    import json

    from detector.simulate import WorldConfig, generate_world, serve_world, write_exports

    world = generate_world(WorldConfig.preset("easy", n_domains=60, seed=777))
    exports = {p.name: p for p in write_exports(world, tmp_path / "exports")}
    with serve_world(world, dns="inprocess") as server:
        config = dataclasses.asdict(server.network_config(
            per_server_rate=1000.0, per_host_rate=1000.0, http_timeout=3.0,
            registration_timeout=3.0, dns_timeout=1.0, retries=0))
        path = tmp_path / "network.json"
        path.write_text(json.dumps(config))
        monkeypatch.setenv("LINKDETECTOR_NETWORK", str(path))
        monkeypatch.setenv("LINKDETECTOR_HOME", str(tmp_path / "home"))
        yield exports, path
