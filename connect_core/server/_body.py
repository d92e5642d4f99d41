"""Reading a request body within its limits, and draining what a reply did not read.

:class:`BodyReader` is sans-IO: an adapter feeds it the chunks it received, whatever its
framework hands over. :func:`drain` and :func:`drain_sync` apply the one drain policy to any
iterator of chunks.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

from .._code import Code
from .._errors import ConnectError


class ClientDisconnected(ConnectError):
    """The client went away before the request body was complete.

    Raise it from the chunk iterator an adapter hands to the seam when its framework reports
    the disconnect; the seam then sends nothing more (see "client disconnects" in
    :mod:`connect_core.server`).
    """

    def __init__(self) -> None:
        """Create the error (code ``canceled``)."""
        super().__init__(Code.CANCELED, "the client disconnected")


def body_too_large(limit: int) -> ConnectError:
    """The error for a request body over the configured ``limit`` of bytes."""
    return ConnectError(
        Code.RESOURCE_EXHAUSTED,
        f"request body is larger than the configured limit of {limit} bytes",
    )


def body_ended_early(received: int, declared: int) -> ConnectError:
    """The error for a request body that ended after ``received`` of its ``declared`` bytes."""
    return ConnectError(
        Code.INVALID_ARGUMENT,
        f"the request body ended after {received} of the {declared} bytes its Content-Length "
        "declared: the client went away, or middleware read the body before this "
        "application (let it leave the request body unread)",
    )


class BodyReader:
    """Collects a whole request body (sans-IO), enforcing the size limit and the declared
    ``Content-Length``.

    Feed it every chunk with :meth:`feed` (which raises ``resource_exhausted`` once the body
    is over ``limit``), then call :meth:`finish` at the end of the body for the bytes (which
    raises ``invalid_argument`` when fewer bytes came than the request declared).
    """

    __slots__ = ("_declared", "_limit", "_parts", "size")

    def __init__(self, limit: int, declared: int | None = None) -> None:
        """Accept at most ``limit`` bytes (<= 0: no limit); ``declared`` is the request's
        ``Content-Length``, when it has one."""
        self._limit = limit
        self._declared = declared
        self._parts: list[bytes] = []
        self.size = 0
        """Bytes received so far."""

    def feed(self, chunk: bytes) -> None:
        """Add ``chunk``; raise ``resource_exhausted`` when the body is now over the limit."""
        if not chunk:
            return
        self.size += len(chunk)
        if 0 < self._limit < self.size:
            raise body_too_large(self._limit)
        self._parts.append(chunk)

    def finish(self) -> bytes:
        """The whole body; raise ``invalid_argument`` when it is shorter than declared."""
        if self._declared is not None and self.size < self._declared:
            raise body_ended_early(self.size, self._declared)
        parts = self._parts
        return parts[0] if len(parts) == 1 else b"".join(parts)


DRAIN_SECONDS = 5.0
"""How long a server reads a request body that its reply did not need."""
DRAIN_IDLE_SECONDS = 0.25
"""How long a server waits for more of a bidi stream's request body once the end of its reply
went out."""
_DRAIN_UNLIMITED_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class DrainPolicy:
    """How much of a request body a server reads and drops when its reply did not need it.

    The one drain policy of every adapter: a reply that goes out before its request body was
    read (a refusal, an error, a handler that finished early) first takes in the rest of a
    reasonably sized, promptly sent body: at most :attr:`max_bytes`, for at most
    :attr:`seconds`, and, with :attr:`idle_seconds`, until the body pauses that long. A server
    that ends a response with request bytes unread may reset the connection under the reply
    (HTTP/1.1), or drop the whole connection when they arrive later (hypercorn over HTTP/2).
    """

    max_bytes: int
    """At most this many bytes are read (0: none at all)."""
    seconds: float = DRAIN_SECONDS
    """For at most this long (0: not at all)."""
    idle_seconds: float | None = None
    """With a value, a pause this long in the body ends the drain."""

    @classmethod
    def for_limit(cls, limit: int, idle_seconds: float | None = None) -> DrainPolicy:
        """The policy for an endpoint whose message limit is ``limit`` (<= 0: none): at most
        twice the limit plus 1 MiB (64 MiB without a limit)."""
        cap = 2 * limit + (1 << 20) if limit > 0 else _DRAIN_UNLIMITED_BYTES
        return cls(cap, DRAIN_SECONDS, idle_seconds)


async def drain(chunks: AsyncIterator[bytes], policy: DrainPolicy) -> None:
    """Read and drop what is left of ``chunks`` within ``policy``. Returns at once when the
    body was already read to its end; never raises for the body's sake (a client that went
    away, or a body that broke, has nothing left to drain)."""
    if policy.max_bytes <= 0 or policy.seconds <= 0:
        return
    seen = 0
    idle = policy.idle_seconds
    with contextlib.suppress(TimeoutError, StopAsyncIteration, ConnectError, OSError):
        async with asyncio.timeout(policy.seconds):
            while seen <= policy.max_bytes:
                if idle is None:
                    chunk = await anext(chunks)
                else:
                    async with asyncio.timeout(idle):
                        chunk = await anext(chunks)
                seen += len(chunk)


def drain_sync(chunks: Iterator[bytes], policy: DrainPolicy) -> None:
    """The sync twin of :func:`drain`: at most ``policy.max_bytes`` (a blocking read cannot be
    bounded in time, so past that the server may reset the connection)."""
    if policy.max_bytes <= 0 or policy.seconds <= 0:
        return
    seen = 0
    with contextlib.suppress(ConnectError, OSError):
        for chunk in chunks:
            seen += len(chunk)
            if seen > policy.max_bytes:
                return
