"""A minimal blocking HTTP/2 (h2c, prior knowledge) client on the ``h2`` package.

httpx sends a whole request body before it reads the response, so it cannot show that a
server answers message 1 of a bidi stream before message 2 is sent; this client can.
"""

from __future__ import annotations

import socket
import time

import h2.config
import h2.connection
import h2.events
import h2.settings


class H2Call:
    """One HTTP/2 stream on its own connection: send body pieces, read what comes back."""

    def __init__(
        self,
        host: str,
        port: int,
        path: str,
        headers: dict[str, str],
        *,
        receive_window: int | None = None,
    ) -> None:
        """Open the stream for ``path``; ``receive_window`` sets the initial flow-control
        window of each stream (what the server may send before the client reads)."""
        self.sock = socket.create_connection((host, port), timeout=5)
        self.conn = h2.connection.H2Connection(
            h2.config.H2Configuration(client_side=True, header_encoding="utf-8")
        )
        if receive_window is not None:
            self.conn.local_settings = h2.settings.Settings(
                client=True,
                initial_values={h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: receive_window},
            )
        self.conn.initiate_connection()
        self.stream_id = self.conn.get_next_available_stream_id()
        self.conn.send_headers(
            self.stream_id,
            [
                (":method", "POST"),
                (":path", path),
                (":scheme", "http"),
                (":authority", f"{host}:{port}"),
                *headers.items(),
            ],
        )
        self._flush()
        self.status: int | None = None
        self.headers: dict[str, str] = {}
        self.trailers: dict[str, str] = {}
        self.body = bytearray()
        self.ended = False
        self.reset = False
        self.connection_closed = False
        self.pings_acked: list[bytes] = []

    def _flush(self) -> None:
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def send(self, data: bytes, end: bool = False) -> None:
        self.conn.send_data(self.stream_id, data, end_stream=end)
        self._flush()

    def end(self) -> None:
        self.conn.end_stream(self.stream_id)
        self._flush()

    def _pump(self, deadline: float) -> bool:
        """Read and process one batch of frames; False on timeout or connection close."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(65536)
        except TimeoutError:
            return False
        if not data:
            self.ended = True
            self.connection_closed = True
            return False
        for event in self.conn.receive_data(data):
            if isinstance(event, h2.events.PingAckReceived):
                self.pings_acked.append(event.ping_data)
                continue
            if isinstance(event, h2.events.ConnectionTerminated):
                self.connection_closed = True
                continue
            if getattr(event, "stream_id", self.stream_id) != self.stream_id:
                continue
            if isinstance(event, h2.events.ResponseReceived):
                hdrs = dict(event.headers)
                self.status = int(hdrs.pop(":status"))
                self.headers.update(hdrs)
            elif isinstance(event, h2.events.TrailersReceived):
                self.trailers.update(dict(event.headers))
            elif isinstance(event, h2.events.DataReceived):
                self.body += event.data
                self.conn.acknowledge_received_data(event.flow_controlled_length, self.stream_id)
            elif isinstance(event, h2.events.StreamEnded):
                self.ended = True
            elif isinstance(event, h2.events.StreamReset):
                self.reset = True
                self.ended = True
        self._flush()
        return True

    def envelopes(self) -> list[tuple[int, bytes]]:
        """The complete envelopes received so far."""
        out = []
        pos = 0
        body = bytes(self.body)
        while len(body) - pos >= 5:
            size = int.from_bytes(body[pos + 1 : pos + 5], "big")
            if len(body) - pos - 5 < size:
                break
            out.append((body[pos], body[pos + 5 : pos + 5 + size]))
            pos += 5 + size
        return out

    def wait_envelopes(self, n: int, timeout: float = 5.0) -> list[tuple[int, bytes]]:
        """Block until ``n`` complete envelopes arrived (or fail after ``timeout``)."""
        deadline = time.monotonic() + timeout
        while len(self.envelopes()) < n:
            if self.ended or not self._pump(deadline):
                raise AssertionError(
                    f"got {len(self.envelopes())} of {n} envelopes (ended={self.ended})"
                )
        return self.envelopes()

    def wait_end(self, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.ended:
            if not self._pump(deadline):
                break
        assert self.ended, "stream did not end"

    def wait_response(self, timeout: float) -> None:
        """Read until the response has fully arrived or ``timeout`` passes (no failure)."""
        deadline = time.monotonic() + timeout
        while not self.ended and self._pump(deadline):
            pass

    def ping(self, timeout: float = 3.0) -> bool:
        """True when the server answers a PING: the connection is still alive."""
        payload = b"conncore"
        try:
            self.conn.ping(payload)
            self._flush()
        except OSError:
            return False
        deadline = time.monotonic() + timeout
        while payload not in self.pings_acked:
            if self.connection_closed:
                return False
            try:
                if not self._pump(deadline) and time.monotonic() >= deadline:
                    return False
            except OSError:
                return False
        return True

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> H2Call:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
