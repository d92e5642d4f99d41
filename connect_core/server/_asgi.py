"""Serving calls over raw ASGI: :func:`serve_asgi`, and ``ConnectASGIApplication`` on it."""

from __future__ import annotations

import asyncio
import concurrent.futures
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, MutableMapping
from functools import partial
from typing import Any, NoReturn

from typing_extensions import Unpack

from .._code import Code
from .._errors import ConnectError
from .._headers import HeaderList, Headers
from .._method import AnyServiceInfo
from ._asgi_stream_body import StreamRequestBody
from ._async_chunks import YIELD_EVERY, ThreadedChunks, ToThread
from ._body import ClientDisconnected, body_too_large, drain
from ._call import Call, start_call
from ._endpoints import ServerOptions, Service
from ._replies import Refusal, Reply
from ._run_async import run_unary
from ._run_sync import run_unary_sync

Scope = MutableMapping[str, Any]
ASGIMessage = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[ASGIMessage]]
Send = Callable[[ASGIMessage], Awaitable[None]]
OnBody = Callable[[Call, bytes], None]


def encode_headers(headers: HeaderList) -> list[tuple[bytes, bytes]]:
    """Encode header pairs for ASGI."""
    return [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]


class ASGIRequestBody:
    """The request body's chunks, as an async iterator: from ASGI ``receive``, or from the
    framework's own body iterator (``source``) when it may have read the body before.

    Raises :class:`ClientDisconnected` when the client goes away; :attr:`done` tells that the
    body was read to its end (or that the client left), after which iterating ends at once.
    """

    __slots__ = ("_receive", "disconnected", "done", "first", "source")

    def __init__(self, receive: Receive, source: AsyncIterator[bytes] | None = None) -> None:
        """Read the body through ``receive``, or from ``source`` when given."""
        self._receive = receive
        self.source = source
        """The framework's body iterator, when it replaces ``receive``."""
        self.first: bytes | None = None
        """A chunk taken from ``receive`` already, handed out before the next ones."""
        self.done = False
        self.disconnected = False

    def __aiter__(self) -> ASGIRequestBody:
        return self

    async def __anext__(self) -> bytes:
        if self.source is not None:
            return await self._next_from_source(self.source)
        first = self.first
        if first is not None:
            self.first = None
            if first:
                return first
        while not self.done:
            message = await self._receive()
            if message["type"] == "http.disconnect":
                self.done = self.disconnected = True
                raise ClientDisconnected
            chunk: bytes = message.get("body", b"")
            if not message.get("more_body", False):
                self.done = True
            if chunk:
                return chunk
        raise StopAsyncIteration

    async def _next_from_source(self, source: AsyncIterator[bytes]) -> bytes:
        if self.done:
            raise StopAsyncIteration
        try:
            return await anext(source)
        except StopAsyncIteration:
            self.done = True
            raise
        except ClientDisconnected:
            self.done = self.disconnected = True
            raise


class _Watcher:
    """Waits for ``http.disconnect`` once the request body is read, and cancels the call."""

    __slots__ = ("_main", "_receive", "disconnected", "task")

    def __init__(self, receive: Receive, main: asyncio.Task[Any] | None = None) -> None:
        """Watch through ``receive`` for the call's task: ``main``, or the one creating the
        watcher."""
        self._receive = receive
        self._main = main if main is not None else asyncio.current_task()
        self.disconnected = False
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        # Not current_task(): a sync handler's body is read in helper tasks.
        if self.task is None:
            self.task = asyncio.create_task(self._watch(self._main))

    async def _watch(self, main: asyncio.Task[Any] | None) -> None:
        while True:
            message = await self._receive()
            if message["type"] == "http.disconnect":
                self.disconnected = True
                if main is not None:
                    main.cancel()
                return

    def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()


def asgi_sends_trailers(scope: Scope) -> bool:
    """True when HTTP response trailers reach the client of ``scope``: its ASGI server lists
    the ``http.response.trailers`` extension (hypercorn, pyvoy; uvicorn does not), and the
    client said it takes them (``TE: trailers``, which every gRPC client sends; hypercorn
    drops trailers for any other)."""
    extensions = scope.get("extensions") or {}
    if "http.response.trailers" not in extensions:
        return False
    return any(name == b"te" and b"trailers" in value.lower() for name, value in scope["headers"])


async def send_reply(send: Send, reply: Reply) -> None:
    """Send a buffered reply (with its HTTP trailers, when it has any)."""
    raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in reply.headers]
    raw.append((b"content-length", str(len(reply.body)).encode()))
    trailers = reply.trailers
    if trailers:
        await send(
            {
                "type": "http.response.start",
                "status": reply.status,
                "headers": raw,
                "trailers": True,
            }
        )
        await send({"type": "http.response.body", "body": reply.body})
        await send({"type": "http.response.trailers", "headers": encode_headers(trailers)})
        return
    await send({"type": "http.response.start", "status": reply.status, "headers": raw})
    await send({"type": "http.response.body", "body": reply.body})


async def serve_asgi(
    target: Call | Refusal,
    receive: Receive,
    send: Send,
    *,
    to_thread: ToThread = asyncio.to_thread,
    on_body: OnBody | None = None,
    chunks: AsyncIterator[bytes] | None = None,
) -> bool:
    """Serve one started call (or send one refusal) over raw ASGI; True when the whole reply
    went out (False when the client went away first).

    Reads the request body from ``receive`` within the endpoint's limits, runs the handler
    (a sync handler through ``to_thread``), sends the reply as it is produced, drains what
    the reply did not read, and follows the disconnect policy: once the client is gone the
    handler is stopped and nothing more is sent. ``on_body`` is called with the call and its
    whole request body before a buffered call's handler runs. ``chunks`` replaces
    ``receive`` as the source of the request body where the framework may have read it
    before (``receive`` still tells when the client goes away).
    """
    if isinstance(target, Refusal):
        body = ASGIRequestBody(receive, chunks)
        await drain(body, target.drain)
        await send_reply(send, target)
        return True
    call = target
    if call.streams:
        stream_body = StreamRequestBody(receive, chunks, asyncio.current_task())
        return await _serve_stream(call, stream_body, send, to_thread)
    if chunks is None:
        # Most unary bodies come in one ASGI message, which needs no more than the size
        # check (the server enforced the declared length).
        message = await receive()
        if message["type"] == "http.disconnect":
            return False
        more = message.get("more_body", False)
        data: bytes = message.get("body", b"")
    else:
        more, data = True, b""
    if more:
        body = ASGIRequestBody(receive, chunks)
        body.first = data
        try:
            data = await call.read_body(body)
        except ClientDisconnected:
            return False
        except ConnectError as e:
            refusal = call.error_reply(e)
            await drain(body, refusal.drain)
            await send_reply(send, refusal)
            return True
    elif 0 < call.endpoint.read_max_bytes < len(data):  # all of it is in: nothing to drain
        await send_reply(send, call.error_reply(body_too_large(call.endpoint.read_max_bytes)))
        return True
    if on_body is not None:
        on_body(call, data)
    if call.endpoint.is_async:
        watched = await run_unary_asgi(call, data, receive)
        if watched is None:
            return False
        reply = watched
    else:
        reply = await to_thread(run_unary_sync, call, data)
    await send_reply(send, reply)
    return True


_WATCH_AFTER = 0.05
"""How long an async unary handler runs before its call starts listening for the client's
disconnect (most calls end sooner, and a watch costs a task)."""


async def run_unary_asgi(call: Call, body: bytes, receive: Receive) -> Reply | None:
    """Run an async unary call whose request ``body`` was read, cancelling the handler when
    the client goes away (``None``: send nothing). ``receive`` is the request's ASGI receive,
    past the end of its body; a handler still running after a moment (50 to 100 ms) starts
    listening on it.

    Sync handlers run in a thread that cannot be interrupted: they run to their end, and their
    reply is dropped.
    """
    task = asyncio.current_task()
    running = _running_unary_calls()
    running.recent[task] = receive
    if not running.scheduled:
        running.schedule()
    try:
        return await run_unary(call, body)
    except asyncio.CancelledError:
        watch = running.watched.get(task)
        if watch is None or not watch.disconnected or task is None:
            raise
        task.uncancel()
        return None
    finally:
        if running.recent.pop(task, None) is None and running.older.pop(task, None) is None:
            watch = running.watched.pop(task, None)
            if watch is not None:
                watch.stop()


class _RunningUnaryCalls:
    """The async unary calls running on one event loop, by task. One timer for all of them:
    every :data:`_WATCH_AFTER` seconds it starts a disconnect watch for each call it already
    saw the time before; a call that ends sooner (most do) costs two dictionary operations."""

    __slots__ = ("loop", "older", "recent", "scheduled", "watched")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.recent: dict[asyncio.Task[Any] | None, Receive] = {}
        self.older: dict[asyncio.Task[Any] | None, Receive] = {}
        self.watched: dict[asyncio.Task[Any] | None, _Watcher] = {}
        self.scheduled = False

    def schedule(self) -> None:
        self.scheduled = True
        self.loop.call_later(_WATCH_AFTER, self._sweep)

    def _sweep(self) -> None:
        for task, receive in self.older.items():
            watch = self.watched[task] = _Watcher(receive, task)
            watch.start()
        self.older, self.recent = self.recent, {}
        if self.older:
            self.schedule()
        else:
            self.scheduled = False


_RUNNING: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _RunningUnaryCalls] = (
    weakref.WeakKeyDictionary()
)
_LAST_RUNNING: list[_RunningUnaryCalls] = []


def _running_unary_calls() -> _RunningUnaryCalls:
    """The running unary calls of this event loop (the last loop's, without a lookup)."""
    loop = asyncio.get_running_loop()
    if _LAST_RUNNING and _LAST_RUNNING[0].loop is loop:
        return _LAST_RUNNING[0]
    running = _RUNNING.get(loop)
    if running is None:
        running = _RUNNING[loop] = _RunningUnaryCalls(loop)
    _LAST_RUNNING[:] = [running]
    return running


class _LoopChunks(Iterator[bytes]):
    """The request body for a sync handler in a worker thread: each chunk is read on the
    event loop. :meth:`cancel` fails a pending read and every later one (``canceled``), so
    that a handler blocked on its requests ends when the call is abandoned."""

    __slots__ = ("_body", "_canceled", "_loop", "_pending")

    def __init__(self, body: AsyncIterator[bytes], loop: asyncio.AbstractEventLoop) -> None:
        self._body = body
        self._loop = loop
        self._pending: concurrent.futures.Future[bytes | None] | None = None
        self._canceled = False

    def __next__(self) -> bytes:
        if self._canceled:
            raise _call_abandoned()
        self._pending = asyncio.run_coroutine_threadsafe(self._next(), self._loop)
        try:
            chunk = self._pending.result()
        except concurrent.futures.CancelledError:
            raise _call_abandoned() from None
        finally:
            self._pending = None
        if chunk is None:
            raise StopIteration
        return chunk

    async def _next(self) -> bytes | None:
        return await anext(self._body, None)

    def cancel(self) -> None:
        self._canceled = True
        pending = self._pending
        if pending is not None:
            pending.cancel()


def _call_abandoned() -> ConnectError:
    return ConnectError(Code.CANCELED, "the call was abandoned before its requests ended")


async def _open(
    call: Call, body: StreamRequestBody, to_thread: ToThread
) -> tuple[int, HeaderList, AsyncIterator[bytes], HeaderList]:
    finish_body = partial(drain, body, call.drain_policy)
    wants_body = call.reads_body_before_end
    if call.endpoint.is_async:
        reply = await call.open_stream(body, finish_body if wants_body else None)
        return reply.status, reply.headers, reply.chunks, reply.trailers
    loop = asyncio.get_running_loop()

    def finish_body_sync() -> None:
        asyncio.run_coroutine_threadsafe(finish_body(), loop).result()

    requests = _LoopChunks(body, loop)
    sync = await to_thread(
        call.open_stream_sync, requests, finish_body_sync if wants_body else None
    )
    chunks = ThreadedChunks(sync.chunks, to_thread, requests.cancel)
    return sync.status, sync.headers, chunks, sync.trailers


async def _serve_stream(
    call: Call, body: StreamRequestBody, send: Send, to_thread: ToThread
) -> bool:
    body.start()
    with_trailers = call.needs_http_trailers

    async def send_head(status: int, headers: HeaderList) -> None:
        start: ASGIMessage = {
            "type": "http.response.start",
            "status": status,
            "headers": encode_headers(headers),
        }
        if with_trailers:
            start["trailers"] = True
        await send(start)

    call.on_send_headers(send_head)
    chunks: AsyncIterator[bytes] | None = None
    try:
        status, headers, chunks, trailers = await _open(call, body, to_thread)
        if body.disconnected:
            return False
        if not call.headers_sent_early():
            await send_head(status, headers)
        del headers  # nothing of the head stays with a long-lived stream
        sent = 0
        async for chunk in chunks:
            if body.disconnected:
                return False
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
            sent += 1
            if not sent % YIELD_EVERY:
                # A server may take a message for a gone client without awaiting anything
                # (uvicorn does), and a handler may produce its messages without awaiting
                # either: give the event loop a turn, so that the disconnect is seen and the
                # handler stopped, and no stream can starve the server.
                await asyncio.sleep(0)
        if not body.done:
            # The handler finished before the request body did; the end of the stream is
            # out, so the client will stop sending.
            await drain(body, call.drain_after_end_policy)
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        if with_trailers:
            await send({"type": "http.response.trailers", "headers": encode_headers(trailers)})
        return True
    except asyncio.CancelledError:
        if not body.disconnected:
            raise
        task = asyncio.current_task()
        if task is not None:
            task.uncancel()
        return False
    except ClientDisconnected:
        return False
    except OSError:  # ASGI 2.4 servers raise on send once the client is gone
        return False
    finally:
        body.stop()
        if chunks is not None:
            await chunks.aclose()  # type: ignore[attr-defined]


class ConnectASGIApplication:
    """An ASGI application serving every procedure of one service.

    The generated ``XServiceASGIApplication`` classes subclass this; use those. Requests whose
    path does not end in one of the service's procedures get 404 ``unimplemented``.
    """

    def __init__(
        self, service: object, info: AnyServiceInfo, **options: Unpack[ServerOptions]
    ) -> None:
        """Serve ``service`` (which implements ``info``) with ``options``."""
        self.service = service
        self.info = info
        self._service = Service(service, info, is_async=True, **options)
        self._endpoints = self._service.endpoints
        self.path = self._service.path
        """The path prefix of every procedure, e.g. ``/greet.v1.GreetService/``."""

    # ``app.include_router(application)`` reads these of a router: say what to do instead. An
    # AttributeError keeps ``getattr(app, "routes", [])`` (Starlette's Mount) working.
    @property
    def routes(self) -> NoReturn:
        """Not a router's: raises ``AttributeError`` saying how to serve this application
        from a FastAPI or Starlette app."""
        raise AttributeError(_not_a_router(type(self).__name__))

    @property
    def _contains_router(self) -> NoReturn:
        raise AttributeError(_not_a_router(type(self).__name__))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection scope."""
        kind = scope["type"]
        if kind != "http":
            if kind == "lifespan":
                await _lifespan(receive, send)
            return
        path: str = scope["path"]
        ep = self._endpoints.get(path)
        headers = Headers.from_raw(scope["headers"])
        query = scope["query_string"].decode("latin-1")
        trailers = asgi_sends_trailers(scope)
        if ep is None:  # mounted under a prefix, or no such procedure
            target = self._service.start(
                scope["method"], path, headers, query, http_trailers=trailers
            )
        else:
            target = start_call(ep, scope["method"], headers, query, None, trailers)
        await serve_asgi(target, receive, send)


def _not_a_router(name: str) -> str:
    return (
        f"{name} is an ASGI application, not a router, so app.include_router() cannot take "
        "it: in FastAPI, serve the service with app.include_router(ConnectRouter(service), "
        "prefix='/rpc') (from connect_fastapi), or mount the application with "
        f"app.mount('/rpc', {name}(service)), which skips FastAPI's dependencies and /docs; "
        "clients then call http://host:port/rpc"
    )


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
