"""A blocking HTTP/2 (h2c, prior knowledge) client for one stream, on the ``h2`` package.

httpx sends the whole request body before it reads the response, so it cannot show a server
answering the first message of a bidirectional stream before the second is sent; this can.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

import h2.config
import h2.connection
import h2.events


class H2Stream:
    """One request stream on its own connection: send body pieces, read what comes back."""

    def __init__(self, port: int, path: str, headers: dict[str, str]) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.conn = h2.connection.H2Connection(
            h2.config.H2Configuration(client_side=True, header_encoding="utf-8")
        )
        self.conn.initiate_connection()
        self.stream_id = self.conn.get_next_available_stream_id()
        self.conn.send_headers(
            self.stream_id,
            [
                (":method", "POST"),
                (":path", path),
                (":scheme", "http"),
                (":authority", f"127.0.0.1:{port}"),
                *headers.items(),
            ],
        )
        self._flush()
        self.status: int | None = None
        self.headers: dict[str, str] = {}
        self.body = bytearray()
        self.ended = False
        self.closed = False
        self._pings: set[bytes] = set()

    def _flush(self) -> None:
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def send(self, data: bytes, end: bool = False) -> None:
        """Send request body bytes (``end``: and end the request)."""
        self.conn.send_data(self.stream_id, data, end_stream=end)
        self._flush()

    def _pump(self, deadline: float) -> bool:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or self.closed:
            return False
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(65536)
        except TimeoutError:
            return False
        if not data:
            self.closed = True
            return False
        for event in self.conn.receive_data(data):
            if isinstance(event, h2.events.PingAckReceived):
                self._pings.add(event.ping_data)
            elif isinstance(event, h2.events.ConnectionTerminated):
                self.closed = True
            elif getattr(event, "stream_id", None) != self.stream_id:
                continue
            elif isinstance(event, h2.events.ResponseReceived):
                headers = dict(event.headers)
                self.status = int(headers.pop(":status"))
                self.headers.update(headers)
            elif isinstance(event, h2.events.DataReceived):
                self.body += event.data
                self.conn.acknowledge_received_data(event.flow_controlled_length, self.stream_id)
            elif isinstance(event, (h2.events.StreamEnded, h2.events.StreamReset)):
                self.ended = True
        self._flush()
        return True

    def wait(self, check: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Read frames until ``check()`` holds (True) or ``timeout`` passes (False)."""
        deadline = time.monotonic() + timeout
        while not check():
            if not self._pump(deadline):
                return check()
        return True

    def ping(self, timeout: float = 3.0) -> bool:
        """True when the server still answers a PING on this connection."""
        payload = b"fastapi!"
        try:
            self.conn.ping(payload)
            self._flush()
        except OSError:
            return False
        return self.wait(lambda: payload in self._pings, timeout)

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> H2Stream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
