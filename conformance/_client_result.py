"""The outcome of one call, collected as it happens and turned into a ``ClientCompatResponse``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from connectrpc.conformance.v1 import client_compat_pb2, service_pb2

from connect_core import ConnectError, Headers


def _headers(headers: Headers) -> list[service_pb2.Header]:
    """``Header`` messages, one per name with all its values, in order of first appearance."""
    grouped: dict[str, list[str]] = {}
    for k, v in headers.multi_items():
        grouped.setdefault(k, []).append(v)
    return [service_pb2.Header(name=k, value=vs) for k, vs in grouped.items()]


def _error(err: ConnectError) -> service_pb2.Error:
    return service_pb2.Error(
        code="CODE_" + err.code.name,
        message=err.message,
        details=[d.as_any() for d in err.details],
    )


@dataclass
class Outcome:
    """What a call produced: response messages' payloads, metadata, and its error."""

    headers: Headers = field(default_factory=Headers)
    trailers: Headers = field(default_factory=Headers)
    payloads: list[Any] = field(default_factory=list)
    error: ConnectError | None = None
    unsent: int = 0

    def add(self, message: Any) -> None:
        """Record a response message (every response type of the service has a payload; an
        empty message counts too, with an empty payload)."""
        self.payloads.append(message.payload)

    def response(self, test_name: str) -> client_compat_pb2.ClientCompatResponse:
        """The result to report."""
        result = client_compat_pb2.ClientResponseResult(
            response_headers=_headers(self.headers),
            payloads=self.payloads,
            response_trailers=_headers(self.trailers),
            num_unsent_requests=self.unsent,
        )
        if self.error is not None:
            result.error.CopyFrom(_error(self.error))
        return client_compat_pb2.ClientCompatResponse(test_name=test_name, response=result)


def failure(test_name: str, message: str) -> client_compat_pb2.ClientCompatResponse:
    """The report of a request the program could not perform at all."""
    return client_compat_pb2.ClientCompatResponse(
        test_name=test_name, error=client_compat_pb2.ClientErrorResult(message=message)
    )
