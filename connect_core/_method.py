"""Descriptors of services and methods, as written by the code generator."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, TypeVarTuple

from google.protobuf.message import Message

REQ = TypeVar("REQ", bound=Message)
RES = TypeVar("RES", bound=Message)
Ts = TypeVarTuple("Ts")


class StreamType(enum.Enum):
    """The four kinds of RPC."""

    UNARY = "unary"
    CLIENT_STREAM = "client_stream"
    SERVER_STREAM = "server_stream"
    BIDI_STREAM = "bidi_stream"

    @property
    def client_streams(self) -> bool:
        """True when the client sends a stream of messages."""
        return self in (StreamType.CLIENT_STREAM, StreamType.BIDI_STREAM)

    @property
    def server_streams(self) -> bool:
        """True when the server answers with a stream of messages."""
        return self in (StreamType.SERVER_STREAM, StreamType.BIDI_STREAM)


class IdempotencyLevel(enum.Enum):
    """The method option ``idempotency_level`` from ``google/protobuf/descriptor.proto``."""

    IDEMPOTENCY_UNKNOWN = 0
    NO_SIDE_EFFECTS = 1
    IDEMPOTENT = 2


@dataclass(frozen=True, slots=True, kw_only=True)
class MethodInfo(Generic[REQ, RES]):
    """One RPC method of a service.

    Attributes:
        name: The method name as written in the proto file, e.g. ``"Greet"``.
        python_name: The snake_case name of the handler and client method, e.g. ``"greet"``.
        service_name: The fully-qualified service name, e.g. ``"greet.v1.GreetService"``.
        input: The request message class.
        output: The response message class.
        stream_type: Which of the four RPC kinds this method is.
        idempotency_level: The method's ``idempotency_level`` option.
    """

    name: str
    python_name: str
    service_name: str
    input: type[REQ]
    output: type[RES]
    stream_type: StreamType
    idempotency_level: IdempotencyLevel = IdempotencyLevel.IDEMPOTENCY_UNKNOWN
    procedure: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "procedure", f"/{self.service_name}/{self.name}")


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceInfo(Generic[*Ts]):
    """A service: its fully-qualified name and its methods, in proto order.

    The type parameters are the types of the methods, so that ``info.methods[0]`` keeps its
    request and response types for a type checker.

    Attributes:
        name: The fully-qualified service name, e.g. ``"greet.v1.GreetService"``.
        methods: The service's methods, in the order the proto file declares them.
    """

    name: str
    methods: tuple[*Ts]

    def method(self, name: str) -> MethodInfo[Any, Any]:
        """Return the method with the proto name or Python name ``name``."""
        for m in self.methods:
            assert isinstance(m, MethodInfo)
            if name in (m.name, m.python_name):
                return m
        raise KeyError(f"{self.name} has no method {name!r}")

    def implemented_by(self, *classes: type) -> None:
        """Record that ``classes`` (the generated ``XService`` and ``XServiceSync``) are the
        handler classes of this service, so that a server finds this descriptor from a
        service object's base classes (generated code calls this)."""
        for cls in classes:
            setattr(cls, SERVICE_INFO_ATTRIBUTE, self)


SERVICE_INFO_ATTRIBUTE = "__connect_service_info__"
"""The class attribute naming the descriptor of the service a generated class declares."""


AnyServiceInfo = ServiceInfo[*tuple[MethodInfo[Any, Any], ...]]
"""A :class:`ServiceInfo` of any service, as applications and adapters accept it."""
