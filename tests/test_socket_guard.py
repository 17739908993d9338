"""The socket guard really refuses traffic beyond loopback, and allows loopback."""

import socket

import pytest
from pytest_socket import SocketConnectBlockedError


def test_connection_beyond_loopback_is_refused():
    with pytest.raises(SocketConnectBlockedError):
        socket.create_connection(("192.0.2.1", 80), timeout=0.5)


def test_loopback_is_allowed():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port), timeout=2)
    conn, _ = server.accept()
    client.sendall(b"ping")
    assert conn.recv(4) == b"ping"
    for s in (client, conn, server):
        s.close()


def test_private_ranges_are_refused_too():
    for address in ("10.0.0.1", "172.16.0.1", "192.168.1.1"):
        with pytest.raises(SocketConnectBlockedError):
            socket.create_connection((address, 80), timeout=0.5)


def test_whole_loopback_block_is_allowed():
    """Synthetic worlds put their hosts all over 127.0.0.0/8 (still this machine)."""
    server = socket.socket()
    server.bind(("127.3.4.5", 0))
    server.listen(1)
    port = server.getsockname()[1]
    client = socket.create_connection(("127.3.4.5", port), timeout=2)
    conn, _ = server.accept()
    for s in (client, conn, server):
        s.close()
