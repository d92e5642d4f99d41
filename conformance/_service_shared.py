"""What the async and sync ``ConformanceService`` implementations share: echoing the request
back as a ``RequestInfo``, applying a response definition's headers and trailers, and
turning a definition's ``Error`` into a :class:`~connect_core.ConnectError`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import connectrpc.conformance.v1.config_pb2 as config_pb2
import connectrpc.conformance.v1.service_pb2 as service_pb2
from google.protobuf import any_pb2
from google.protobuf.message import Message

from connect_core import Code, ConnectError, Headers, RequestContext

RequestInfo = service_pb2.ConformancePayload.RequestInfo


def code_from_proto(code: int) -> Code:
    """The :class:`Code` for a ``connectrpc.conformance.v1.Code`` enum value."""
    name = config_pb2.Code.Name(code)
    return Code(name.removeprefix("CODE_").lower())


def request_info(ctx: RequestContext, requests: Iterable[Message]) -> RequestInfo:
    """What the server observed of the call: headers, timeout, requests, GET."""
    info = RequestInfo()
    headers = ctx.request_headers()
    for name in dict.fromkeys(headers):
        info.request_headers.add(name=name, value=headers.getall(name))
    remaining = ctx.timeout_ms()
    if remaining is not None:
        info.timeout_ms = max(int(remaining), 0)
    for request in requests:
        packed = any_pb2.Any()
        packed.Pack(request)
        info.requests.append(packed)
    if ctx.http_method() == "GET":
        # The core does not expose the raw query to handlers; the suite accepts an empty
        # message as "this call used GET".
        info.connect_get_info.SetInParent()
    return info


def _add(target: Headers, headers: Iterable[service_pb2.Header]) -> None:
    for header in headers:
        for value in header.value:
            target.add(header.name, value)


def set_response_metadata(
    ctx: RequestContext,
    definition: service_pb2.UnaryResponseDefinition | service_pb2.StreamResponseDefinition,
) -> None:
    """Set the headers and trailers a response definition asks for."""
    if definition.response_headers:
        _add(ctx.response_headers(), definition.response_headers)
    if definition.response_trailers:
        _add(ctx.response_trailers(), definition.response_trailers)


def error_from(definition: service_pb2.Error, info: RequestInfo | None) -> ConnectError:
    """The error a definition asks for, with ``info`` appended to its details."""
    details: list[Message] = list(definition.details)
    if info is not None:
        details.append(info)
    return ConnectError(code_from_proto(definition.code), definition.message, details=details)


def payload(data: bytes, info: RequestInfo | None = None) -> service_pb2.ConformancePayload:
    """A response payload carrying ``data`` and, when given, the request info."""
    out = service_pb2.ConformancePayload(data=data)
    if info is not None:
        out.request_info.CopyFrom(info)
    return out


def unimplemented_error() -> ConnectError:
    """What ``Unimplemented`` answers."""
    return ConnectError(
        Code.UNIMPLEMENTED,
        "connectrpc.conformance.v1.ConformanceService.Unimplemented is not implemented",
    )


class StreamReplies:
    """The responses of a server or bidi stream, decided as requests arrive (sans-IO).

    The async and sync services drive it the same way: :meth:`on_request` for each request
    (full duplex answers each one at once), then :meth:`remaining` once the requests end,
    then :meth:`finish`, which raises the definition's error if it has one.
    """

    def __init__(
        self,
        ctx: RequestContext,
        definition: service_pb2.StreamResponseDefinition,
        full_duplex: bool = False,
    ) -> None:
        """Start answering a stream whose first request carried ``definition``."""
        self._ctx = ctx
        self._definition = definition
        self._full_duplex = full_duplex
        self._sent = 0
        self._received: list[Message] = []
        self.delay_seconds = definition.response_delay_ms / 1000.0
        """How long to wait before sending each response."""
        set_response_metadata(ctx, definition)

    def _info(self) -> RequestInfo:
        if self._sent == 0:
            info = request_info(self._ctx, self._received)
        else:
            info = RequestInfo()
            if self._full_duplex:
                for request in self._received:
                    info.requests.add().Pack(request)
        self._received = []
        return info

    def on_request(self, request: Message) -> service_pb2.ConformancePayload | None:
        """Take one request; in full duplex, the payload to answer it with."""
        self._received.append(request)
        if not self._full_duplex:
            return None
        if self._sent >= len(self._definition.response_data):
            self.finish()
            raise ConnectError(Code.INTERNAL, "the response definition has no more responses")
        return self._next()

    def _next(self) -> service_pb2.ConformancePayload:
        data = self._definition.response_data[self._sent]
        if self._full_duplex or self._sent == 0:
            out = payload(data, self._info())
        else:
            out = payload(data)
        self._sent += 1
        return out

    def remaining(self) -> Iterable[service_pb2.ConformancePayload]:
        """The payloads still to send once the requests have ended."""
        while self._sent < len(self._definition.response_data):
            yield self._next()

    def finish(self) -> None:
        """Raise the definition's error, if any (with the request info if nothing was sent)."""
        if self._definition.HasField("error"):
            info = request_info(self._ctx, self._received) if self._sent == 0 else None
            raise error_from(self._definition.error, info)


def definition_of(
    request: service_pb2.UnaryRequest
    | service_pb2.IdempotentUnaryRequest
    | service_pb2.ClientStreamRequest,
) -> service_pb2.UnaryResponseDefinition | None:
    """The request's response definition, or ``None`` when it has none."""
    return request.response_definition if request.HasField("response_definition") else None


def unary_payload(
    ctx: RequestContext,
    definition: service_pb2.UnaryResponseDefinition | None,
    requests: Sequence[Message],
) -> service_pb2.ConformancePayload:
    """The payload of a unary or client-stream call, or raise the definition's error.

    The caller has already waited the definition's delay.
    """
    info = request_info(ctx, requests)
    if definition is None:
        return payload(b"", info)
    set_response_metadata(ctx, definition)
    if definition.HasField("error"):
        raise error_from(definition.error, info)
    return payload(definition.response_data, info)
