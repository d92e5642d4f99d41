"""A stream reply's chunks as an async iterator, for adapters whose framework sends them.

:func:`~connect_core.server.serve_asgi` sends a stream itself; a framework that takes an
async iterator of body chunks instead (Django's ``StreamingHttpResponse``) gets the same steps
from here: :func:`chunks_in_thread` runs a sync handler's stream one message at a time in a
worker thread, and :func:`reply_chunks` paces a stream's chunks and drains the request body
after its end.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

from ._body import drain
from ._call import Call

ToThread = Callable[..., Awaitable[Any]]
"""Runs ``func(*args)`` in a worker thread: ``asyncio.to_thread`` or a framework's own
(Starlette's ``run_in_threadpool``, Django's thread-sensitive ``sync_to_async``)."""
YIELD_EVERY = 16
"""How many messages a stream sends before it gives the event loop a turn."""


class ThreadedChunks(AsyncIterator[bytes]):
    """A sync iterator's chunks, each produced in a worker thread; a lock keeps the final
    ``close()`` from running while a step is still in its thread (whose wait for a request
    ``on_close`` cancels first)."""

    __slots__ = ("_it", "_lock", "_on_close", "_to_thread")

    def __init__(
        self,
        it: Iterator[bytes],
        to_thread: ToThread,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self._it = it
        self._to_thread = to_thread
        self._on_close = on_close
        self._lock = threading.Lock()

    def __aiter__(self) -> ThreadedChunks:
        return self

    def _step(self) -> bytes | None:
        with self._lock:
            return next(self._it, None)

    def _close(self) -> None:
        with self._lock:
            close = getattr(self._it, "close", None)
            if close is not None:
                close()

    async def __anext__(self) -> bytes:
        chunk = await self._to_thread(self._step)
        if chunk is None:
            raise StopAsyncIteration
        return chunk  # type: ignore[no-any-return]

    async def aclose(self) -> None:
        """Close the sync iterator (in a worker thread, once its current step is done)."""
        if self._on_close is not None:
            self._on_close()
        await self._to_thread(self._close)


async def chunks_in_thread(chunks: Iterator[bytes], to_thread: ToThread) -> AsyncIterator[bytes]:
    """A sync stream's ``chunks`` (:attr:`StreamReplySync.chunks`) as an async iterator: each
    message is produced by ``to_thread`` (a worker thread, so the event loop is never
    blocked), and closing it closes the sync iterator there too, which stops its handler.

    It is an async generator, so a framework that drops it unclosed (a client gone mid-stream)
    still has it closed, by the event loop's async-generator finalizer, in a worker thread:
    a sync handler's ``finally`` never runs on the event loop."""
    threaded = ThreadedChunks(chunks, to_thread)
    try:
        async for chunk in threaded:
            yield chunk
    finally:
        await threaded.aclose()


async def reply_chunks(
    call: Call, chunks: AsyncIterator[bytes], body: AsyncIterator[bytes]
) -> AsyncIterator[bytes]:
    """The chunks a framework sends for a stream ``call``: each of ``chunks`` as it comes,
    then, once they end, what the call left of the request ``body`` is drained
    (:attr:`Call.drain_after_end_policy`).

    Every few messages the event loop gets a turn: a handler may yield without awaiting, and
    a server may take a message for a gone client without awaiting either (uvicorn does), so
    that the framework sees the disconnect and no stream starves the server. Closing this
    iterator closes ``chunks``, which stops the handler.
    """
    sent = 0
    try:
        async for chunk in chunks:
            yield chunk
            sent += 1
            if not sent % YIELD_EVERY:
                await asyncio.sleep(0)
    finally:
        aclose = getattr(chunks, "aclose", None)
        if aclose is not None:
            await aclose()
    if not getattr(body, "done", False):
        await drain(body, call.drain_after_end_policy)
