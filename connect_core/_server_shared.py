"""The steps every server adapter shares before and around a handler runs (sans-IO).

An adapter (the ASGI and WSGI applications here, the framework plugins elsewhere) finds the
endpoint for a path, calls :func:`negotiate` with the request head, and then either sends the
:class:`Reply` it got back (a refused request) or reads the body and runs the handler.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from google.protobuf.message import Message

from ._code import Code
from ._errors import ConnectError
from ._headers import Headers
from ._method import StreamType
from ._options import Endpoint
from ._protocol import CallSetup, HeaderList, HTTPError


@dataclass(slots=True)
class Reply:
    """A complete, buffered response: status, headers and body."""

    status: int
    headers: HeaderList
    body: bytes

    def headers_with_length(self) -> HeaderList:
        """The headers plus ``content-length``."""
        return [*self.headers, ("content-length", str(len(self.body)))]


def procedure_of(path: str) -> str:
    """The last two segments of ``path`` (``/pkg.Service/Method``), whatever prefix precedes."""
    cut = path.rfind("/", 0, path.rfind("/"))
    return path[cut:] if cut > 0 else path


def not_found(path: str) -> Reply:
    """The reply for a path that names no procedure: 404 ``unimplemented``."""
    error = ConnectError(Code.UNIMPLEMENTED, f"no procedure at {path}")
    return Reply(404, [("content-type", "application/json")], error.to_json())


def error_reply(ep: Endpoint, setup: CallSetup | None, error: ConnectError) -> Reply:
    """A reply carrying ``error`` in the wire format of the endpoint's stream kind."""
    proto = setup.protocol if setup is not None else ep.protocol
    if ep.streaming:
        return Reply(*proto.stream_error_response(setup, error, None, None))
    return Reply(*proto.unary_error(setup, error, None, None))


def negotiate(
    ep: Endpoint, http_method: str, headers: Headers, query: Mapping[str, str]
) -> CallSetup | Reply:
    """Validate the request head: the call's setup, or the reply that refuses it.

    The setup names the protocol that answers, so handler runners and adapters never pick
    one themselves: gRPC and gRPC-Web join here, chosen by content type.
    """
    try:
        return ep.protocol.negotiate(ep.method, http_method, headers, query)
    except HTTPError as e:
        return Reply(
            e.status,
            [("content-type", "text/plain; charset=utf-8"), *e.headers],
            e.message.encode(),
        )
    except ConnectError as e:
        return error_reply(ep, None, e)


logger = logging.getLogger("connect_core")


def as_connect_error(e: BaseException, method: str) -> ConnectError:
    """Turn any exception a handler raised into the error the client receives."""
    if isinstance(e, ConnectError):
        return e
    logger.error("unhandled exception in %s", method, exc_info=e)
    return ConnectError(Code.INTERNAL, "internal error")


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
        "application (let it leave wsgi.input unread)",
    )


DRAIN_SECONDS = 5.0
"""How long a server reads a request body that its reply did not need (see drain_cap)."""
DRAIN_IDLE_SECONDS = 0.25
"""How long a server waits for more of a bidi stream's request body once the end of its reply
went out (see :func:`drain_idle`)."""
_DRAIN_UNLIMITED_BYTES = 64 * 1024 * 1024


def drain_cap(limit: int) -> int:
    """How many bytes of a request body a server reads and drops when its reply did not need
    them, for an endpoint whose message limit is ``limit`` (<= 0: none).

    The one drain policy of every adapter: a reply that goes out before its request body was
    read (a refusal, an error, a handler that finished early) first takes in the rest of a
    reasonably sized, promptly sent body, at most twice the limit plus 1 MiB (64 MiB without
    a limit) and for at most :data:`DRAIN_SECONDS`. A server that ends a response with
    request bytes unread may reset the connection under the reply (HTTP/1.1), or drop the
    whole connection when they arrive later (hypercorn over HTTP/2).
    """
    return 2 * limit + (1 << 20) if limit > 0 else _DRAIN_UNLIMITED_BYTES


def drain_idle(kind: StreamType) -> float | None:
    """How long a pause in the request body ends the drain after a stream's reply ended early.

    A bidi client may wait for the end of the reply before it closes its side (connect-go's
    full-duplex streams do), so a bidi stream stops draining after :data:`DRAIN_IDLE_SECONDS`
    without data instead of keeping its client waiting; a client that is still sending is
    read to its end. A client stream's client has no reply to wait for: its body is drained
    within the whole policy (``None``: no idle limit).
    """
    return DRAIN_IDLE_SECONDS if kind.client_streams and kind.server_streams else None


def body_read_before_end(headers: Headers) -> bool:
    """Whether a stream reads the rest of its request body before the end of its reply.

    Yes when the request declared its length: such a body is sent whole whatever the reply
    says, and a client that sees the end of the reply may cut it short, which servers punish
    (hypercorn drops the whole HTTP/2 connection, granian resets the stream). A body without
    a declared length (client and bidi streams) is drained after the end instead, since a
    bidi client may wait for that end before it stops sending.
    """
    return "content-length" in headers


def deadline_error() -> ConnectError:
    """The error of a call that ran past its deadline."""
    return ConnectError(Code.DEADLINE_EXCEEDED, "the call's deadline expired")


def check_output(ep: Endpoint, message: object) -> Message:
    """Return ``message`` when it is the method's response type; else log the mistake on the
    server (it is the handler's, not the client's) and raise ``internal``."""
    if not isinstance(message, ep.method.output):
        verb = "yielded" if ep.method.stream_type.server_streams else "returned"
        text = (
            f"{ep.method.procedure} handler {verb} {type(message).__name__}, expected "
            f"{ep.method.output.DESCRIPTOR.full_name}"
        )
        logger.error("%s", text)
        raise ConnectError(Code.INTERNAL, text)
    return message
