"""A full-duplex HTTP/2 transport: the ``h2`` state machine over asyncio streams.

One connection per origin carries every call as its own stream: h2c (HTTP/2 over cleartext
TCP, "prior knowledge") for ``http://`` URLs and TLS with ALPN ``h2`` for ``https://``. The
request body is sent by a background task while the response is read, so a bidirectional
call is full duplex. Releasing a response before its end resets just that stream
(``RST_STREAM``); the connection stays up for the next call. Flow control is honoured both
ways: received data is acknowledged as it is consumed, so a slow reader slows the sender.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections import deque
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

from .._code import Code
from .._headers import HeaderList, Headers
from .base import TransportError, host_port, os_error

_FORBIDDEN = frozenset(
    ("connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "host")
)
_CANCEL = 0x8  # RST_STREAM error code CANCEL
_READ_SIZE = 1 << 16

# HTTP/2 RST_STREAM error codes as gRPC maps them; any other code means unavailable.
_RESET_CODES = {
    0x7: Code.UNAVAILABLE,  # REFUSED_STREAM: not processed, safe to retry
    0x8: Code.CANCELED,  # CANCEL
    0xB: Code.RESOURCE_EXHAUSTED,  # ENHANCE_YOUR_CALM
    0xC: Code.PERMISSION_DENIED,  # INADEQUATE_SECURITY
}


class StreamResetError(TransportError):
    """The peer reset the stream (``RST_STREAM``) before the response ended; its
    :attr:`code` is what the reset's HTTP/2 error code stands for, as gRPC maps them."""

    def __init__(self, code: int) -> None:
        """The error of a reset with HTTP/2 error code ``code``."""
        super().__init__(
            f"stream reset by the peer (HTTP/2 error code {code})",
            code=_RESET_CODES.get(code, Code.UNAVAILABLE),
        )
        self.http2_error_code = code


def _library_errors() -> tuple[type[Exception], ...]:
    """What the h2 and hpack libraries and the sockets raise."""
    import h2.exceptions
    import hpack

    return (OSError, h2.exceptions.H2Error, hpack.HPACKError)


def _mapped(e: Exception) -> TransportError:
    """The :class:`TransportError` for ``e``, one of :func:`_library_errors`."""
    return os_error(e) if isinstance(e, OSError) else _wrap(e)


class H2Transport:
    """Full-duplex HTTP/2 (``pip install connect-core[h2]``): h2c or TLS, one connection per
    origin, multiplexed.

    Example::

        async with H2Transport() as transport:
            client = EchoServiceClient("http://127.0.0.1:8000", transport=transport)
            async for reply in client.chat(requests()):   # full duplex
                ...
    """

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext | None = None,
        connect_timeout: float | None = 30.0,
        stream_window: int = 1 << 20,
        connection_window: int = 1 << 24,
    ) -> None:
        """Create a transport.

        Args:
            ssl_context: TLS settings for ``https://`` origins (default: the system's trust
                store); ALPN is set to ``h2``.
            connect_timeout: Seconds to wait for a new connection.
            stream_window: The receive window of each stream, in bytes.
            connection_window: The receive window of a whole connection, in bytes.
        """
        self._ssl = ssl_context
        self._connect_timeout = connect_timeout
        self._stream_window = stream_window
        self._connection_window = connection_window
        self._connections: dict[tuple[str, str, int], _Connection] = {}
        self._connecting: dict[tuple[str, str, int], asyncio.Future[_Connection]] = {}
        self._targets: dict[str, tuple[tuple[str, str, int], str, str]] = {}

    @property
    def connection_count(self) -> int:
        """Live connections (one per origin, unless one went away and was replaced)."""
        return sum(1 for c in self._connections.values() if c.usable)

    def _target(self, url: str) -> tuple[tuple[str, str, int], str, str]:
        """``((scheme, host, port), authority, path)`` of ``url``."""
        found = self._targets.get(url)
        if found is not None:
            return found
        parts = urlsplit(url)
        scheme = parts.scheme
        if scheme not in ("http", "https"):
            raise ValueError(f"H2Transport needs an http:// or https:// URL, got {url!r}")
        host = parts.hostname or ""
        port = parts.port or (443 if scheme == "https" else 80)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        authority = parts.netloc.rsplit("@", 1)[-1]
        target = ((scheme, host, port), authority, path)
        if not parts.query and len(self._targets) < 1024:
            self._targets[url] = target
        return target

    async def send(
        self, method: str, url: str, headers: HeaderList, body: bytes | AsyncIterator[bytes]
    ) -> _H2Stream:
        """Open a stream, send the head (and the body, in the background when it streams) and
        return once the response head has arrived."""
        key, authority, path = self._target(url)
        conn = self._connections.get(key)
        if conn is None or not conn.usable or conn.loop is not asyncio.get_running_loop():
            conn = await self._connect(key)
        try:
            return await conn.request(method, key[0], authority, path, headers, body)
        except TransportError:
            raise
        except _library_errors() as e:
            raise _mapped(e) from e

    async def _connect(self, key: tuple[str, str, int]) -> _Connection:
        pending = self._connecting.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[_Connection] = asyncio.get_running_loop().create_future()
        self._connecting[key] = future
        try:
            old = self._connections.pop(key, None)
            if old is not None:
                old.abandon()
            try:
                # asyncio.timeout, not wait_for: on Python 3.11 wait_for drops a cancellation
                # that arrives as the connection completes.
                async with asyncio.timeout(self._connect_timeout):
                    conn = await self._open(key)
            except TransportError:
                raise
            except OSError as e:  # the connect timeout too: deadline_exceeded
                raise os_error(e, address=host_port(key[1], key[2])) from e
            self._connections[key] = conn
            future.set_result(conn)
            return conn
        except BaseException as e:
            future.set_exception(e)
            future.exception()  # retrieved: waiters re-raise it, nobody else must
            raise
        finally:
            del self._connecting[key]

    async def _open(self, key: tuple[str, str, int]) -> _Connection:
        scheme, host, port = key
        context: ssl.SSLContext | None = None
        if scheme == "https":
            context = self._ssl or ssl.create_default_context()
            context.set_alpn_protocols(["h2"])
        reader, writer = await asyncio.open_connection(
            host, port, ssl=context, server_hostname=host if context else None
        )
        if context is not None:
            sslobj = writer.get_extra_info("ssl_object")
            if sslobj is None or sslobj.selected_alpn_protocol() != "h2":
                writer.close()
                raise TransportError(f"{host}:{port} did not negotiate HTTP/2 (ALPN h2)")
        return _Connection(reader, writer, self._stream_window, self._connection_window)

    async def aclose(self) -> None:
        """Close every connection (``GOAWAY``), failing the streams still open."""
        conns = list(self._connections.values())
        self._connections.clear()
        for conn in conns:
            await conn.aclose()

    async def __aenter__(self) -> H2Transport:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class _Connection:
    """One HTTP/2 connection: the h2 state machine, a reader task and the open streams."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        stream_window: int,
        connection_window: int,
    ) -> None:
        import h2.config
        import h2.connection
        import h2.events
        import h2.exceptions
        import h2.settings

        self._ev = h2.events
        self._h2_errors = (h2.exceptions.ProtocolError, h2.exceptions.StreamClosedError)
        self.loop = asyncio.get_running_loop()
        self._reader = reader
        self._writer = writer
        config = h2.config.H2Configuration(
            client_side=True,
            header_encoding=None,
            validate_outbound_headers=False,
            normalize_outbound_headers=False,
        )
        h2c = h2.connection.H2Connection(config=config)
        h2c.initiate_connection()
        h2c.update_settings(
            {
                h2.settings.SettingCodes.ENABLE_PUSH: 0,
                h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: stream_window,
            }
        )
        if connection_window > 65535:
            h2c.increment_flow_control_window(connection_window - 65535)
        self._h2 = h2c
        self._streams: dict[int, _H2Stream] = {}
        self._error: BaseException | None = None
        self._goaway = False
        self._window_event = asyncio.Event()  # set and replaced whenever send windows grow
        self._slot_event = asyncio.Event()  # set and replaced whenever a stream closes
        self._flush()
        self._reader_task = self.loop.create_task(self._read_loop())

    @property
    def usable(self) -> bool:
        return self._error is None and not self._goaway

    def _flush(self) -> None:
        data = self._h2.data_to_send()
        if data:
            self._writer.write(data)

    # -- sending -------------------------------------------------------------------------------

    async def request(
        self,
        method: str,
        scheme: str,
        authority: str,
        path: str,
        headers: HeaderList,
        body: bytes | AsyncIterator[bytes],
    ) -> _H2Stream:
        h2c = self._h2
        while h2c.open_outbound_streams >= h2c.remote_settings.max_concurrent_streams:
            if self._error is not None:
                raise self._error
            event = self._slot_event
            await event.wait()
        if self._error is not None:
            raise self._error
        sid = h2c.get_next_available_stream_id()
        stream = _H2Stream(self, sid)
        self._streams[sid] = stream
        head = [
            (b":method", method.encode("ascii")),
            (b":scheme", scheme.encode("ascii")),
            (b":authority", authority.encode("idna")),
            (b":path", path.encode("ascii")),
        ]
        head += [
            (k.encode("latin-1"), v.encode("latin-1")) for k, v in headers if k not in _FORBIDDEN
        ]
        try:
            if isinstance(body, bytes):
                if body:
                    h2c.send_headers(sid, head)
                    await self.send_data(stream, body, end=True)
                else:
                    h2c.send_headers(sid, head, end_stream=True)
                    stream.sent_all = True
                    self._flush()
            else:
                h2c.send_headers(sid, head)
                self._flush()
                stream.pump = self.loop.create_task(self._pump(stream, body))
            await stream.head
        except BaseException:
            await stream.aclose()
            raise
        return stream

    async def send_data(self, stream: _H2Stream, data: bytes, *, end: bool) -> None:
        h2c = self._h2
        sid = stream.id
        pos = 0
        size = len(data)
        while pos < size:
            if stream.closed:
                return
            try:
                window = h2c.local_flow_control_window(sid)
            except self._h2_errors:
                return  # the peer closed or reset its side: nothing more to send
            if window <= 0:
                self._flush()
                event = self._window_event
                await event.wait()
                continue
            n = min(window, size - pos, h2c.max_outbound_frame_size)
            h2c.send_data(sid, data[pos : pos + n] if n != size else data)
            pos += n
        if end and not stream.closed:
            h2c.end_stream(sid)
            stream.sent_all = True
        self._flush()
        await self._writer.drain()

    async def _pump(self, stream: _H2Stream, body: AsyncIterator[bytes]) -> None:
        """Send a streamed request body while the response is being read."""
        try:
            async for chunk in body:
                if stream.closed:
                    return
                if chunk:
                    await self.send_data(stream, chunk, end=False)
            if not stream.closed:
                self._h2.end_stream(stream.id)
                stream.sent_all = True
                self._flush()
        except asyncio.CancelledError:
            raise
        except BaseException as e:
            # The request stream failed (the caller's iterator raised): abandon the call.
            stream.fail(e)
            self.reset(stream)
        finally:
            aclose = getattr(body, "aclose", None)
            if aclose is not None:
                with contextlib.suppress(Exception):
                    await aclose()

    def reset(self, stream: _H2Stream) -> None:
        """Reset ``stream`` (``RST_STREAM CANCEL``) unless it is already closed."""
        if stream.closed:
            return
        stream.closed = True
        if self._error is None:
            with contextlib.suppress(*self._h2_errors):
                self._h2.reset_stream(stream.id, _CANCEL)
            self._flush()
        self._forget(stream)

    def ack(self, sid: int, n: int) -> None:
        """Hand ``n`` consumed bytes back to the peer's send window."""
        if n and self._error is None:
            try:
                self._h2.acknowledge_received_data(n, sid)
            except self._h2_errors as e:
                raise _wrap(e) from e
            self._flush()

    def _forget(self, stream: _H2Stream) -> None:
        if self._streams.pop(stream.id, None) is not None:
            event, self._slot_event = self._slot_event, asyncio.Event()
            event.set()
            self._wake_senders()  # a sender blocked on this stream's window must see it closed

    # -- receiving -----------------------------------------------------------------------------

    async def _read_loop(self) -> None:
        ev = self._ev
        h2c = self._h2
        streams = self._streams
        try:
            while True:
                data = await self._reader.read(_READ_SIZE)
                if not data:
                    raise TransportError("the server closed the HTTP/2 connection")
                events: list[Any] = h2c.receive_data(data)
                for event in events:
                    t = type(event)
                    if t is ev.DataReceived:
                        stream = streams.get(event.stream_id)
                        if stream is None:
                            h2c.acknowledge_received_data(
                                event.flow_controlled_length, event.stream_id
                            )
                        else:
                            stream.on_data(event.data, event.flow_controlled_length)
                    elif t is ev.ResponseReceived:
                        stream = streams.get(event.stream_id)
                        if stream is not None:
                            stream.on_head(event.headers)
                    elif t is ev.StreamEnded:
                        stream = streams.get(event.stream_id)
                        if stream is not None:
                            stream.on_end()
                    elif t is ev.TrailersReceived:
                        stream = streams.get(event.stream_id)
                        if stream is not None:
                            stream.on_trailers(event.headers)
                    elif t is ev.WindowUpdated or t is ev.RemoteSettingsChanged:
                        self._wake_senders()
                    elif t is ev.StreamReset:
                        stream = streams.get(event.stream_id)
                        if stream is not None:
                            stream.on_reset(event.error_code)
                    elif t is ev.ConnectionTerminated:
                        self._on_goaway(event.last_stream_id, event.error_code)
                self._flush()
        except asyncio.CancelledError:
            self._fail_all(TransportError("the HTTP/2 connection was closed"))
            raise
        except BaseException as e:
            self._fail_all(os_error(e) if isinstance(e, OSError) else _wrap(e))
        finally:
            if not self._writer.is_closing():
                self._writer.close()

    def _wake_senders(self) -> None:
        event, self._window_event = self._window_event, asyncio.Event()
        event.set()

    def _on_goaway(self, last_stream_id: int | None, code: int) -> None:
        self._goaway = True
        err = TransportError(f"the server closed the HTTP/2 connection (GOAWAY, code {code})")
        for sid, stream in list(self._streams.items()):
            if last_stream_id is None or sid > last_stream_id or code:
                stream.on_error(err)
        self._slot_event.set()

    def _fail_all(self, err: BaseException) -> None:
        if self._error is None:
            self._error = err
        for stream in list(self._streams.values()):
            stream.on_error(err)
        self._streams.clear()
        self._window_event.set()
        self._slot_event.set()

    def abandon(self) -> None:
        """Drop a connection that can take no new streams (its streams may still finish)."""
        if not self._streams:
            self._reader_task.cancel()

    async def aclose(self) -> None:
        if self._error is None:
            with contextlib.suppress(*self._h2_errors):
                self._h2.close_connection()
            with contextlib.suppress(OSError):
                self._flush()
        self._reader_task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._reader_task
        self._writer.close()
        with contextlib.suppress(OSError, asyncio.CancelledError):
            await self._writer.wait_closed()


def _wrap(e: BaseException) -> TransportError:
    err = TransportError(f"HTTP/2 protocol error: {e}")
    err.__cause__ = e
    return err


class _H2Stream:
    """One request/response exchange: the transport's response object."""

    __slots__ = (
        "_chunks",
        "_conn",
        "_ended",
        "_error",
        "_waiter",
        "closed",
        "head",
        "headers",
        "id",
        "pump",
        "sent_all",
        "status",
        "trailers",
    )

    def __init__(self, conn: _Connection, sid: int) -> None:
        self._conn = conn
        self.id = sid
        self.status = 0
        self.headers = Headers()
        self.trailers = Headers()
        self.head: asyncio.Future[None] = conn.loop.create_future()
        self._chunks: deque[tuple[bytes, int]] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._ended = False
        self._error: BaseException | None = None
        self.closed = False  # nothing more is sent or received (ended both ways, or reset)
        self.sent_all = False
        self.pump: asyncio.Task[None] | None = None

    # Events from the connection's reader.

    def on_head(self, raw: list[tuple[bytes, bytes]]) -> None:
        status = 0
        pairs: list[tuple[bytes, bytes]] = []
        for k, v in raw:
            if k == b":status":
                status = int(v)
            elif k[:1] != b":":
                pairs.append((k, v))
        self.status = status
        # HTTP/2 header names are lower-case, as Headers.from_raw expects.
        self.headers = Headers.from_raw(pairs)
        if not self.head.done():
            self.head.set_result(None)

    def on_trailers(self, raw: list[tuple[bytes, bytes]]) -> None:
        for k, v in raw:
            self.trailers.add(k.decode("latin-1"), v.decode("latin-1"))

    def on_data(self, data: bytes, flow: int) -> None:
        self._chunks.append((data, flow))
        self._wake()

    def on_end(self) -> None:
        self._ended = True
        if not self.head.done():
            self.head.set_exception(TransportError("stream ended without a response head"))
        if self.sent_all:
            self.closed = True
            self._conn._forget(self)
        self._wake()

    def on_reset(self, code: int) -> None:
        self.closed = True
        self._conn._forget(self)
        if not self._ended:
            self.on_error(StreamResetError(code))
        self._wake()

    def on_error(self, err: BaseException) -> None:
        self.closed = True
        self._conn._wake_senders()
        if self._error is None and not self._ended:
            self._error = err
        if not self.head.done():
            self.head.set_exception(err)
            self.head.exception()  # retrieved here; request() re-raises it by awaiting
        self._wake()

    def fail(self, err: BaseException) -> None:
        """The request body failed: surface ``err`` to the response reader (a TransportError
        when sending it failed, the request iterator's own exception otherwise)."""
        if isinstance(err, Exception) and isinstance(err, _library_errors()):
            err = _mapped(err)
        self._error = err
        self._ended = False
        if not self.head.done():
            self.head.set_exception(err)
            self.head.exception()
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    # The response API.

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        chunks = self._chunks
        conn = self._conn
        while True:
            if self._error is not None:
                raise self._error
            if chunks:
                data, flow = chunks.popleft()
                conn.ack(self.id, flow)
                yield data
                continue
            if self._ended:
                return
            waiter = self._waiter = conn.loop.create_future()
            await waiter

    async def aread(self) -> bytes:
        parts = [chunk async for chunk in self.aiter_bytes()]
        return parts[0] if len(parts) == 1 else b"".join(parts)

    async def aclose(self) -> None:
        """Release the stream: reset it if either direction is unfinished."""
        pump = self.pump
        if pump is not None and not pump.done():
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await pump
        conn = self._conn
        if not self.closed:
            if self._ended and self.sent_all:
                self.closed = True
                conn._forget(self)
            else:
                conn.reset(self)
        for _, flow in self._chunks:
            conn.ack(self.id, flow)
        self._chunks.clear()

    def __repr__(self) -> str:
        return f"<H2 stream {self.id} status={self.status}>"
