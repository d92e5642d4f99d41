"""A reply that goes out before its request body was read still lets the client finish.

HTTP/1.1, raw sockets: the request head and the first part of the body go first; the server
refuses the call from them (a message over the limit, refused from its length prefix); the
rest of the body follows. A body of declared length is read before the end of the reply goes
out, so that the client never cuts it short and the connection is not reset under the reply
with unread bytes.
"""

from __future__ import annotations

import socket
import time

import pytest
from servers.integrations import WireServer

from .h2client import H2Call
from .wire import ECHO

LIMIT = 4 * 1024 * 1024  # the test servers' default read_max_bytes
FIRST = 128 * 1024  # WSGI servers hand the application whole 64 KiB reads
REST = 256 * 1024


def _read_until(sock: socket.socket, marker: bytes, timeout: float) -> bytes:
    sock.settimeout(timeout)
    data = b""
    while marker not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


@pytest.mark.parametrize("procedure", ["Collect", "Chat", "Repeat"])
def test_refused_stream_reads_the_rest_of_the_body(h1_server: WireServer, procedure: str) -> None:
    prefix = b"\x00" + (LIMIT + 1).to_bytes(4, "big")  # one message, one byte over the limit
    length = len(prefix) + FIRST + REST
    head = (
        f"POST {ECHO}{procedure} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/connect+proto\r\nConnect-Protocol-Version: 1\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", h1_server.port), timeout=5) as sock:
        sock.sendall(head + prefix + b"\x00" * FIRST)
        # The call is refused from the length prefix, but the body has a declared length: the
        # end of the reply (its end-of-stream message, and the end of the response) waits
        # for the rest of it, which a client that saw the end might cut short (an HTTP/2 WSGI
        # server such as granian then resets the stream under the reply).
        time.sleep(0.5)
        sock.setblocking(False)
        try:
            early = sock.recv(65536)
        except BlockingIOError:
            early = b""
        sock.setblocking(True)
        assert b"resource_exhausted" not in early, "the end went out before the body was read"
        sock.sendall(b"\x00" * REST)
        reply = early + _read_until(sock, b"0\r\n\r\n", timeout=5)
        assert b"resource_exhausted" in reply and reply.endswith(b"0\r\n\r\n")
        if not h1_server.running.kind.keep_alive:  # the server closes every connection
            assert b"connection: close" in reply.lower()
            sock.close()
            sock = socket.create_connection(("127.0.0.1", h1_server.port), timeout=5)
        # The connection is still good for another call.
        query = "encoding=json&message=%7B%7D"
        sock.sendall(f"GET {ECHO}Echo?{query} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        second = _read_until(sock, b"}", timeout=5)
        sock.close()
        assert second.startswith(b"HTTP/1.1 200"), second


def h2_refused_stream_waits_for_its_body(port: int, path: str) -> None:
    """Over HTTP/2, a stream refused before its declared-length body arrived sends its end
    only once the body is in: a client that sees the end may cut its body short, which
    hypercorn punishes by dropping the whole connection (h2's content-length check)."""
    prefix = b"\x00" + (LIMIT + 1).to_bytes(4, "big")
    headers = {
        "content-type": "application/connect+proto",
        "connect-protocol-version": "1",
        "content-length": str(len(prefix) + 1024),
    }
    with H2Call("127.0.0.1", port, path, headers) as call:
        call.send(prefix)
        call.wait_response(timeout=0.5)
        assert call.envelopes() == [], "the end of the stream went out before the body was read"
        call.send(b"\x00" * 1024, end=True)
        flags, data = call.wait_envelopes(1)[0]
        assert flags == 2 and b"resource_exhausted" in data
        call.wait_end()
        assert call.ping(), "the server dropped the HTTP/2 connection"


def test_h2_stream_reply_ends_after_a_declared_body(h2_server: WireServer) -> None:
    h2_refused_stream_waits_for_its_body(h2_server.port, ECHO + "Repeat")


def test_body_cut_short_by_the_client_is_an_error(wsgi_server: WireServer) -> None:
    """A client that sends less than its Content-Length and stops sending (its write side
    shut) gets ``invalid_argument``, not a reply built from a partial message.

    WSGI servers only: they hand the application a body that just ends early, which only the
    application can tell from a complete one. An ASGI server sees the half-closed connection
    itself and reports a disconnect, after which there is no one to answer.
    """
    body = b'{"message": "cut"}'
    head = (
        f"POST {ECHO}Echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body) + 100}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", wsgi_server.port), timeout=5) as sock:
        sock.sendall(head + body)
        sock.shutdown(socket.SHUT_WR)
        reply = _read_until(sock, b"\x00never", timeout=5)
    assert reply.startswith(b"HTTP/1.1 400"), reply
    assert b'"code":"invalid_argument"' in reply.replace(b" ", b""), reply
    assert f"after {len(body)} of the {len(body) + 100} bytes".encode() in reply, reply
