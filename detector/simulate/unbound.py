"""Serve a world's DNS with a real resolver: Debian ``unbound`` with local zones.

:func:`write_local_data` turns the world into ``local-zone`` / ``local-data`` lines;
:class:`UnboundServer` writes a config into a temporary directory (127.0.0.1:PORT, no
daemon, no chroot, no user switch, no recursion: ``local-zone: "." static`` answers
NXDOMAIN for every name outside the world, so unbound never sends a packet beyond
loopback) and runs ``unbound -d`` as a child process until :meth:`stop`.

Failure injection differs from the in-process server, as unbound allows: ``servfail``
domains are ``always_refuse`` zones (REFUSED), ``nodata`` zones have only SOA and NS,
``slow`` is not supported (answered at once). Documented in ``docs/simulation.md``.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

__all__ = ["UnboundServer", "write_local_data", "unbound_available"]


def unbound_available() -> str | None:
    """Path of the ``unbound`` binary, or None when it is not installed."""
    return shutil.which("unbound") or next(
        (p for p in ("/usr/sbin/unbound", "/sbin/unbound") if Path(p).exists()), None)


def write_local_data(world: "World", path: str | Path) -> Path:  # noqa: F821
    """Write the world's zones as unbound ``local-zone`` / ``local-data`` lines."""
    from detector.simulate.dns_answers import infra_hosts
    from detector.simulate.records import dns_records

    idx = world.site_index()
    path = Path(path)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write('local-zone: "example." static\n')
        for host, addr in infra_hosts(world).items():
            f.write(f'local-data: "{host} 3600 IN A {addr}"\n')
        for i in sorted(range(len(idx.names)), key=idx.names.__getitem__):
            row = idx.row(i)
            d = row["domain"]
            if row["dns_failure"] == "servfail":
                f.write(f'local-zone: "{d}." always_refuse\n')
                continue
            f.write(f'local-zone: "{d}." static\n')
            for owner, rtype, rdata in dns_records(row):
                f.write(f'local-data: "{owner} 3600 IN {rtype} {rdata}"\n')
    return path


def _config(workdir: Path, port: int, host: str, local: Path) -> str:
    return f"""server:
    interface: {host}
    port: {port}
    do-ip4: yes
    do-ip6: no
    do-udp: yes
    do-tcp: yes
    do-daemonize: no
    chroot: ""
    username: ""
    directory: "{workdir}"
    pidfile: "{workdir}/unbound.pid"
    logfile: ""
    use-syslog: no
    verbosity: 0
    num-threads: 1
    so-reuseport: no
    module-config: "iterator"
    access-control: 127.0.0.0/8 allow
    do-not-query-localhost: yes
    local-zone: "." static
    include: "{local}"
remote-control:
    control-enable: no
"""


class UnboundServer:
    """An ``unbound`` child process answering the world's zones on ``host:port``."""

    def __init__(self, world: "World", port: int, host: str = "127.0.0.1") -> None:  # noqa: F821
        binary = unbound_available()
        if binary is None:
            raise FileNotFoundError("unbound is not installed (apt-get install -y unbound)")
        self.binary = binary
        self.world = world
        self.host = host
        self.port = port
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> None:
        """Write the config, start unbound and wait until it answers (or raise)."""
        import dns.exception
        import dns.message
        import dns.query

        self._tmp = tempfile.TemporaryDirectory(prefix="world-unbound-")
        work = Path(self._tmp.name)
        local = write_local_data(self.world, work / "local.conf")
        conf = work / "unbound.conf"
        conf.write_text(_config(work, self.port, self.host, local), encoding="utf-8")
        check = subprocess.run([self.binary + "-checkconf" if Path(self.binary + "-checkconf").exists()
                                else "unbound-checkconf", str(conf)], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"{conf}: unbound-checkconf failed: {check.stdout}{check.stderr}")
        self.process = subprocess.Popen([self.binary, "-d", "-c", str(conf)], stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT)
        probe = dns.message.make_query(f"{self.world.targets[0]}.", "A")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                out = self.process.stdout.read().decode(errors="replace") if self.process.stdout else ""
                raise RuntimeError(f"unbound exited with {self.process.returncode}: {out[-2000:]}")
            try:
                dns.query.udp(probe, self.host, port=self.port, timeout=0.5)
                return
            except (OSError, dns.exception.Timeout):
                time.sleep(0.1)
        self.stop()
        raise TimeoutError(f"unbound did not answer on {self.host}:{self.port} within {timeout}s")

    def stop(self) -> None:
        """Terminate the child and remove its directory."""
        if self.process is not None:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(5)
            if self.process.stdout:
                self.process.stdout.close()
            self.process = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


def free_udp_tcp_port(host: str = "127.0.0.1") -> int:
    """A port free for both UDP and TCP on ``host`` right now."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
            t.bind((host, 0))
            port = t.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
                try:
                    u.bind((host, port))
                except OSError:
                    continue
                return port
    raise OSError(f"no free UDP+TCP port on {host}")
