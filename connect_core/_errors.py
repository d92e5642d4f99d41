"""``ConnectError``: the one exception type of every protocol (each renders it its own way:
Connect's JSON form is in ``_protocol/connect_errors.py``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from google.protobuf import any_pb2, json_format
from google.protobuf.message import Message

from ._code import Code

M = TypeVar("M", bound=Message)


class ErrorDetail:
    """One error detail: a ``google.protobuf.Any`` plus optional ``debug`` JSON.

    ``debug`` is what the JSON error body carries beside the Any for humans; it is never
    needed to decode the detail.
    """

    __slots__ = ("_any", "_message", "debug")

    def __init__(self, value: Message, *, debug: Any = None) -> None:
        """Wrap ``value``: an ``Any`` is kept as it is, other messages are packed.

        When ``debug`` is not given for a message, the error body's ``debug`` field carries the
        message in the proto3 JSON mapping.
        """
        self._message: Message | None = None
        if isinstance(value, any_pb2.Any):
            self._any = value
        else:
            packed = any_pb2.Any()
            packed.Pack(value)
            self._any = packed
            self._message = value
        self.debug = debug

    @property
    def type_name(self) -> str:
        """The fully-qualified message name, e.g. ``"google.rpc.RetryInfo"``."""
        return self._any.type_url.rsplit("/", 1)[-1]

    @property
    def value(self) -> bytes:
        """The detail's serialized message."""
        return self._any.value

    def as_any(self) -> any_pb2.Any:
        """Return the detail as a ``google.protobuf.Any``."""
        return self._any

    def unpack(self, message_type: type[M]) -> M | None:
        """Decode the detail as ``message_type``; ``None`` when the type does not match."""
        if self.type_name != message_type.DESCRIPTOR.full_name:
            return None
        out = message_type()
        out.ParseFromString(self._any.value)
        return out

    def __repr__(self) -> str:
        return f"ErrorDetail({self.type_name!r})"


class ConnectError(Exception):
    """An RPC error with a :class:`Code`, a message, and typed details.

    Raise it from a handler or an interceptor to send that error to the client; clients raise
    it for every failed call.

    Example::

        raise ConnectError(Code.NOT_FOUND, "no such user", details=[ErrorInfo(reason="GONE")])
    """

    def __init__(
        self,
        code: Code,
        message: str = "",
        *,
        details: Iterable[Message | ErrorDetail] = (),
        metadata: Mapping[str, str | Sequence[str]] | None = None,
        wire: bool = False,
    ) -> None:
        """Create an error.

        Args:
            code: The error code.
            message: A developer-facing description.
            details: Messages (packed into ``google.protobuf.Any``), ``Any`` values, or
                :class:`ErrorDetail` objects.
            metadata: Headers or trailers received with the error (set by clients).
            wire: True when this error was decoded from the wire rather than raised locally.
        """
        super().__init__(f"{code.value}: {message}" if message else code.value)
        self.code = code
        self.message = message
        self.details: list[ErrorDetail] = [
            d if isinstance(d, ErrorDetail) else ErrorDetail(d) for d in details
        ]
        self.metadata: dict[str, list[str]] = {}
        if metadata:
            for k, v in metadata.items():
                self.metadata[k.lower()] = [v] if isinstance(v, str) else list(v)
        self.wire = wire

    def detail(self, message_type: type[M]) -> M | None:
        """Return the first detail of ``message_type``, decoded, or ``None``."""
        for d in self.details:
            found = d.unpack(message_type)
            if found is not None:
                return found
        return None

    def __repr__(self) -> str:
        return f"ConnectError({self.code!r}, {self.message!r})"


def debug_json(message: Message) -> Any:
    """Render ``message`` in the proto3 JSON mapping, for an :class:`ErrorDetail`'s ``debug``."""
    return json_format.MessageToDict(message)
