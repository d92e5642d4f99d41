"""A stream's request body over ASGI, read by a task of its own so the client's going away is
seen whatever the handler is awaiting."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from ._body import ClientDisconnected

if TYPE_CHECKING:
    from ._asgi import Receive

LOOKAHEAD_BYTES = 64 * 1024
"""How much of the request body is read ahead of the handler. Past it, reading waits for the
handler, so a client that sends faster than its handler reads is held back by the server's
flow control, not by memory here."""


class StreamRequestBody:
    """A streaming call's request body, as an async iterator of chunks, read ahead by a pump
    task: from ASGI ``receive``, or from the framework's body iterator (``source``).

    The pump listens for ``http.disconnect`` while the body is unfinished and after its end,
    so a handler that awaits something other than its next request (a sleep, a database, a
    send stuck on a full transport) is still stopped when its client goes: the pump cancels
    the call's task (``main``). Only while :data:`LOOKAHEAD_BYTES` of unread requests wait
    for the handler does it stop listening, until the handler reads.
    """

    __slots__ = (
        "_buffered",
        "_chunks",
        "_ended",
        "_error",
        "_main",
        "_receive",
        "_source",
        "_space",
        "_waiter",
        "disconnected",
        "task",
    )

    def __init__(
        self,
        receive: Receive,
        source: AsyncIterator[bytes] | None,
        main: asyncio.Task[Any] | None,
    ) -> None:
        """Read through ``receive`` (or ``source``) for the call running in ``main``."""
        self._receive = receive
        self._source = source
        self._main = main
        self._chunks: deque[bytes] = deque()
        self._buffered = 0
        self._ended = False
        self._error: BaseException | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._space: asyncio.Future[None] | None = None
        self.disconnected = False
        """The client went away."""
        self.task: asyncio.Task[None] | None = None

    @property
    def done(self) -> bool:
        """The body was read to its end, or the client went away."""
        return self.disconnected or (self._ended and not self._chunks)

    def start(self) -> None:
        """Start reading."""
        self.task = asyncio.create_task(self._pump())

    def stop(self) -> None:
        """Stop reading (the call is over)."""
        if self.task is not None:
            self.task.cancel()

    def __aiter__(self) -> StreamRequestBody:
        return self

    async def __anext__(self) -> bytes:
        while True:
            if self._chunks:
                chunk = self._chunks.popleft()
                self._buffered -= len(chunk)
                space = self._space
                if space is not None and self._buffered < LOOKAHEAD_BYTES:
                    self._space = None
                    if not space.done():
                        space.set_result(None)
                return chunk
            if self._error is not None:
                raise self._error
            if self.disconnected:
                raise ClientDisconnected
            if self._ended:
                raise StopAsyncIteration
            waiter = self._waiter = asyncio.get_running_loop().create_future()
            try:
                await waiter
            finally:
                self._waiter = None

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _put(self, chunk: bytes) -> None:
        self._chunks.append(chunk)
        self._buffered += len(chunk)
        self._wake()

    async def _room(self) -> None:
        """Wait until the handler has read enough of what is buffered."""
        if self._buffered >= LOOKAHEAD_BYTES:
            space = self._space = asyncio.get_running_loop().create_future()
            await space

    async def _pump(self) -> None:
        try:
            if self._source is not None:
                await self._pump_source(self._source)
            else:
                await self._pump_receive()
            if self.disconnected:
                return
            self._ended = True
            self._wake()
            # The body is complete: listen on for the client going away.
            while (await self._receive())["type"] != "http.disconnect":
                pass
            self._gone()
        except asyncio.CancelledError:
            raise
        except Exception as e:  # a framework's error while receiving: the handler's to see
            self._error = e
            self._wake()

    async def _pump_receive(self) -> None:
        receive = self._receive
        while True:
            await self._room()
            message = await receive()
            if message["type"] == "http.disconnect":
                self._gone()
                return
            chunk: bytes = message.get("body", b"")
            if chunk:
                self._put(chunk)
            if not message.get("more_body", False):
                return

    async def _pump_source(self, source: AsyncIterator[bytes]) -> None:
        while True:
            await self._room()
            try:
                chunk = await anext(source)
            except StopAsyncIteration:
                return
            except ClientDisconnected:
                self._gone()
                return
            if chunk:
                self._put(chunk)

    def _gone(self) -> None:
        self.disconnected = True
        self._wake()
        if self._main is not None:
            self._main.cancel()
