"""What a call answers: a buffered reply, a refusal, or a streamed reply (plain values)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

from .._headers import HeaderList
from .._protocol.server import Reply
from ._body import DrainPolicy

__all__ = ["Refusal", "Reply", "StreamReply", "StreamReplySync"]


@dataclass(slots=True)
class Refusal(Reply):
    """A reply that refuses a call before or without its handler: send it once the request
    body is drained by :attr:`drain` (see :func:`~connect_core.server.drain`)."""

    drain: DrainPolicy = field(default_factory=lambda: DrainPolicy.for_limit(0))

    @classmethod
    def of(cls, reply: Reply, drain: DrainPolicy) -> Refusal:
        """The protocol's ``reply``, sent once the request body is drained by ``drain``."""
        return cls(reply.status, reply.headers, reply.body, reply.trailers, drain)


@dataclass(slots=True)
class StreamReply:
    """A streaming response: status and headers now, body chunks as the handler produces
    them, then :attr:`trailers` (filled in once :attr:`chunks` is exhausted).

    Closing :attr:`chunks` early (``aclose()``) stops the handler.
    """

    status: int
    headers: HeaderList
    chunks: AsyncIterator[bytes]
    trailers: HeaderList = field(default_factory=list)


@dataclass(slots=True)
class StreamReplySync:
    """The sync twin of :class:`StreamReply`; closing :attr:`chunks` (``close()``) stops the
    handler."""

    status: int
    headers: HeaderList
    chunks: Iterator[bytes]
    trailers: HeaderList = field(default_factory=list)
