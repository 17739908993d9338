"""Serve a world on loopback: DNS, HTTP (pages by Host), RDAP and port-43 WHOIS.

>>> # with serve_world(world) as served:
>>> #     cfg = served.network_config()   # point the detector's clients here

One background thread runs an asyncio loop with the HTTP, RDAP, WHOIS (and in-process
DNS) servers; DNS is ``unbound`` (a child process) when installed or requested. The HTTP
server binds every distinct address the world's A records use (Linux routes all of
127.0.0.0/8 to ``lo``) on one port, plus 127.0.0.1; it never binds 0.0.0.0. ``stop()``
(or leaving the ``with``) closes every socket, ends the thread and the child process.

:func:`serve_world_process` runs the same servers in a child process instead, as real
servers run elsewhere: a benchmark's client then has the interpreter (and a core) to
itself rather than sharing one GIL with the servers it measures.
"""

from __future__ import annotations

import asyncio
import dataclasses
import errno
import multiprocessing
import multiprocessing.connection
import resource
import signal
import socket
import threading
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from detector.enrich.base import NetworkConfig
from detector.simulate.servers import HttpLimits, make_http_app, make_rdap_app, start_dns, start_whois

__all__ = ["Ports", "ServedWorld", "serve_world", "serve_world_process"]


@dataclass
class Ports:
    """Ports of the four servers; 0 = pick a free one."""

    dns: int = 0  #: UDP+TCP port of the DNS server
    http: int = 0  #: port of the page server on every bound address
    rdap: int = 0  #: port of the RDAP server (127.0.0.1)
    whois: int = 0  #: port of the WHOIS server (127.0.0.1)


def _check_loopback(host: str) -> None:
    if not host.startswith("127."):
        raise ValueError(f"refusing to bind {host!r}: the simulation binds 127.0.0.0/8 only")


def _bind(host: str, port: int) -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind((host, port))
        s.listen(128)
    except OSError:
        s.close()
        raise
    s.setblocking(False)
    return s


def _raise_fd_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            raise OSError(f"serving needs {needed} file descriptors, the hard limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


@dataclass
class ServedWorld:
    """A running set of servers for one world. Use as a context manager or call stop()."""

    world: Any
    host: str = "127.0.0.1"
    dns_backend: str = ""  #: "unbound" or "inprocess"
    ports: Ports = field(default_factory=Ports)  #: actual ports in use
    addresses: list[str] = field(default_factory=list)  #: addresses the HTTP server listens on
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _closers: list = field(default_factory=list)
    _unbound: Any = None
    _process: Any = None  #: the child process serving, for :func:`serve_world_process`
    _control: Any = None  #: the parent's end of the pipe to that child

    @property
    def rdap_base_url(self) -> str:
        """Base URL of the RDAP server (ends with ``/``)."""
        return f"http://{self.host}:{self.ports.rdap}/"

    def rdap_bootstrap(self) -> dict[str, str]:
        """TLD (last label, as in IANA's dns.json) -> the local RDAP base URL."""
        return {t.rsplit(".", 1)[-1]: self.rdap_base_url for t in self.world.tlds()}

    def network_config(self, **overrides: Any) -> NetworkConfig:
        """A NetworkConfig pointing every detector client at these servers."""
        kw: dict[str, Any] = dict(dns_servers=[self.host], dns_port=self.ports.dns,
                                  rdap_bootstrap=self.rdap_bootstrap(), whois_server=self.host,
                                  whois_port=self.ports.whois, http_port=self.ports.http,
                                  allow_private_addresses=True)
        kw.update(overrides)
        return NetworkConfig(**kw)

    def __enter__(self) -> "ServedWorld":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop every server and the background thread (or child process); idempotent."""
        if self._process is not None:
            _stop_child(self._process, self._control)
            self._process = self._control = None
        if self._loop is not None and self._thread is not None:
            if self._loop.is_running():
                fut = asyncio.run_coroutine_threadsafe(self._close_all(), self._loop)
                try:
                    fut.result(timeout=30)
                finally:
                    self._loop.call_soon_threadsafe(self._loop.stop)
                    self._thread.join(timeout=30)
            else:  # start failed: the thread has returned, close here
                self._thread.join(timeout=30)
                self._loop.run_until_complete(self._close_all())
            self._loop.close()
            self._loop = None
            self._thread = None
        if self._unbound is not None:
            self._unbound.stop()
            self._unbound = None

    async def _close_all(self) -> None:
        for closer in reversed(self._closers):
            try:
                await closer()
            except Exception:  # noqa: BLE001 - keep closing the rest
                pass
        self._closers.clear()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def serve_world(world: Any, *, host: str = "127.0.0.1", ports: Ports | dict[str, int] | None = None,
                dns: str = "auto", bind_all_addresses: bool = True, slow_seconds: float | None = None,
                oversized_bytes: int = 3_000_000) -> ServedWorld:
    """Start DNS, HTTP, RDAP and WHOIS servers for ``world`` on loopback; returns them running.

    ``dns``: ``"unbound"`` (fail if not installed), ``"inprocess"``, or ``"auto"``
    (unbound when installed). ``bind_all_addresses=False`` binds only ``host`` for HTTP
    (clients must then connect to ``host`` with the Host header).
    """
    from detector.simulate.unbound import UnboundServer, free_udp_tcp_port, unbound_available

    _check_loopback(host)
    ports = Ports(**ports) if isinstance(ports, dict) else (ports or Ports())
    slow = world.config.slow_seconds if slow_seconds is None else slow_seconds
    backend = ("unbound" if unbound_available() else "inprocess") if dns == "auto" else dns
    if backend not in ("unbound", "inprocess"):
        raise ValueError(f"dns must be 'auto', 'unbound' or 'inprocess', got {dns!r}")
    served = ServedWorld(world=world, host=host, dns_backend=backend)
    world.site_index()  # build once, outside the loop

    addresses = [host]
    if bind_all_addresses:
        addresses += sorted(set(world.domains["ip"].dropna().tolist()) - {host})
    for a in addresses:
        _check_loopback(a)
    _raise_fd_limit(len(addresses) + 1024)

    # HTTP sockets: one port on every address (retry on the rare clash)
    http_socks: list[socket.socket] = []
    for attempt in range(5):
        port = ports.http
        try:
            first = _bind(host, port)
            port = first.getsockname()[1]
            http_socks = [first] + [_bind(a, port) for a in addresses[1:]]
            break
        except OSError as e:
            for s in http_socks:
                s.close()
            http_socks = []
            if ports.http or e.errno != errno.EADDRINUSE or attempt == 4:
                raise
    served.addresses = addresses
    dns_port = ports.dns or free_udp_tcp_port(host)
    rdap_sock = _bind(host, ports.rdap)
    whois_sock_port = ports.whois or _free_tcp(host)
    served.ports = Ports(dns=dns_port, http=http_socks[0].getsockname()[1],
                         rdap=rdap_sock.getsockname()[1], whois=whois_sock_port)

    if backend == "unbound":
        served._unbound = UnboundServer(world, dns_port, host)
        try:
            served._unbound.start()
        except Exception:
            for s in (*http_socks, rdap_sock):
                s.close()
            raise

    loop = asyncio.new_event_loop()
    ready = threading.Event()
    failure: list[BaseException] = []
    base_ref = [served.rdap_base_url]

    async def start() -> None:
        limits = HttpLimits(slow, oversized_bytes=oversized_bytes)
        http_runner = web.AppRunner(make_http_app(world, limits), access_log=None, shutdown_timeout=1.0)
        await http_runner.setup()
        served._closers.append(http_runner.cleanup)
        for s in http_socks:
            await web.SockSite(http_runner, s).start()
        rdap_runner = web.AppRunner(make_rdap_app(world, base_ref), access_log=None, shutdown_timeout=1.0)
        await rdap_runner.setup()
        served._closers.append(rdap_runner.cleanup)
        await web.SockSite(rdap_runner, rdap_sock).start()
        whois = await start_whois(world, host, whois_sock_port)

        async def close_whois() -> None:
            whois.close()
            await whois.wait_closed()
        served._closers.append(close_whois)
        if backend == "inprocess":
            transport, tcp_server, _ = await start_dns(world, host, dns_port, slow)

            async def close_dns() -> None:
                transport.close()
                tcp_server.close()
                await tcp_server.wait_closed()
            served._closers.append(close_dns)

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(start())
        except BaseException as e:  # noqa: BLE001 - reported to the caller
            failure.append(e)
            ready.set()
            return
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=run, name="world-servers", daemon=True)
    served._loop, served._thread = loop, thread
    thread.start()
    ready.wait(timeout=300)
    if failure or not ready.is_set():
        served.stop()
        for s in (*http_socks, rdap_sock):
            s.close()
        raise RuntimeError(f"servers failed to start: {failure[0] if failure else 'timeout'}") from (
            failure[0] if failure else None)
    return served


def _free_tcp(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def serve_world_process(world: Any, *, start_method: str = "spawn", timeout: float = 300.0,
                        **options: Any) -> ServedWorld:
    """:func:`serve_world` in a child process; returns the running servers' description.

    ``options`` go to :func:`serve_world` (``dns``, ``ports``, ``slow_seconds`` ...). The
    child gets a copy of ``world`` and binds the same loopback addresses; ``stop()`` (or
    leaving the ``with``) ends it and its own children (unbound), and so does the parent's
    exit: the child stops when its control pipe closes. ``spawn`` (the default) is safe
    whatever threads the caller runs; the returned object answers ``network_config()``
    from the parent's ``world``. As always with ``spawn``, the caller's main module must
    guard its entry point with ``if __name__ == "__main__"``.
    """
    context = multiprocessing.get_context(start_method)
    parent_end, child_end = context.Pipe()
    shipped = dataclasses.replace(world, _index=None)  # the child builds its own index
    process = context.Process(target=_serve_child, args=(shipped, options, child_end),
                              name="world-servers", daemon=True)
    process.start()
    child_end.close()
    try:
        if not multiprocessing.connection.wait([parent_end, process.sentinel], timeout):
            raise RuntimeError(f"servers did not start within {timeout:g}s")
        if not parent_end.poll():
            raise RuntimeError(f"the serving process exited at start (exit code {process.exitcode}); "
                               "with 'spawn', the caller's main module must be import-safe "
                               "(if __name__ == '__main__')")
        status, *details = parent_end.recv()
    except BaseException:
        _stop_child(process, parent_end)
        raise
    if status != "ready":
        _stop_child(process, parent_end)
        raise RuntimeError(f"servers failed to start: {details[0]}")
    ports, addresses, backend, host = details
    return ServedWorld(world=world, host=host, dns_backend=backend, ports=Ports(**ports),
                       addresses=addresses, _process=process, _control=parent_end)


def _serve_child(world: Any, options: dict[str, Any], control: Any) -> None:
    """Child process body: serve ``world`` until the parent says stop or goes away."""
    signal.signal(signal.SIGTERM, _exit_on_term)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which stops us
    try:
        served = serve_world(world, **options)
    except BaseException as exc:  # noqa: BLE001 - reported to the parent
        control.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    try:
        control.send(("ready", dataclasses.asdict(served.ports), served.addresses,
                      served.dns_backend, served.host))
        try:
            control.recv()  # "stop", or EOFError when the parent is gone
        except (EOFError, OSError):
            pass
    finally:
        served.stop()
        try:
            control.send(("stopped",))
        except (OSError, ValueError):
            pass


def _exit_on_term(signum: int, frame: Any) -> None:
    """SIGTERM in the serving child: unwind, so unbound is stopped and sockets closed."""
    raise SystemExit(143)


def _stop_child(process: Any, control: Any, timeout: float = 30.0) -> None:
    """Ask the serving child to stop, wait for it, and make sure it is gone."""
    try:
        control.send("stop")
        if control.poll(timeout):
            control.recv()
    except (EOFError, OSError, ValueError):
        pass
    finally:
        control.close()
    process.join(timeout)
    if process.is_alive():
        process.terminate()
        process.join(timeout)
