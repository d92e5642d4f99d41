"""What the async and sync clients share: call options, per-call option handling, errors.

The wire protocol itself is in ``connect_core._protocol`` (``connect_client.py`` for
Connect); the transports are in ``connect_core._transports``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterable, Callable, Iterable, Mapping, Sequence
from typing import Any, TypedDict

from google.protobuf.message import Message

from .._code import Code
from .._errors import ConnectError
from .._headers import HeaderList, Headers
from .._method import IdempotencyLevel, MethodInfo, StreamType
from .._protocol.client import CONFIG_OPTIONS, ClientConfig, ClientProtocol
from .._protocol.codec import PROTO, Codec
from .._protocol.compression import Compression, default_compressions
from .._protocol.connect_client import ConnectClientProtocol
from .._transports.base import TransportError
from .cancel import CancelHandle

HeadersLike = Headers | Mapping[str, str] | Sequence[tuple[str, str]]


class CallOptions(TypedDict, total=False):
    """Per-call options of every generated client method (each overrides the client's own).

    Attributes:
        headers: Extra request headers (added to the client's ``headers``).
        timeout_ms: The call's deadline in milliseconds: sent as ``connect-timeout-ms`` and
            enforced locally (the call fails with ``deadline_exceeded``).
        use_get: Send a unary call with HTTP GET; only ``NO_SIDE_EFFECTS`` methods may.
        codec: ``PROTO`` or ``JSON`` for this call.
        send_compression: Compress this call's request messages (``None``: do not).
        accept_compressions: Compressions offered for this call's response.
        read_max_bytes: Largest response message accepted for this call.
        cancel: Sync clients: a :class:`CancelHandle` another thread can cancel the call
            with (the call then raises ``ConnectError(Code.CANCELED)``). Async calls are
            cancelled like any task (``task.cancel()``).
    """

    headers: HeadersLike
    timeout_ms: int | None
    use_get: bool
    codec: Codec
    send_compression: Compression | None
    accept_compressions: Sequence[Compression]
    read_max_bytes: int
    cancel: CancelHandle | None


def header_list(headers: HeadersLike | None) -> HeaderList:
    """Headers in any accepted form as ``(name, value)`` pairs with lower-case names."""
    if not headers:
        return []
    if isinstance(headers, Headers):
        return list(headers.multi_items())
    items = headers.items() if isinstance(headers, Mapping) else headers
    return [(k.lower(), v) for k, v in items]


def single_response(first: Any, second: Any) -> Any:
    """Check the messages of a client-streaming response: exactly one."""
    if first is None:
        raise ConnectError(Code.UNIMPLEMENTED, "server sent no response message")
    if second is not None:
        raise ConnectError(Code.UNIMPLEMENTED, "server sent more than one response message")
    return first


def _rpc_name(method: MethodInfo[Any, Any]) -> str:
    return f"{method.service_name}.{method.name}"


def _what(value: object) -> str:
    name = value.DESCRIPTOR.full_name if isinstance(value, Message) else type(value).__qualname__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def wrong_request(method: MethodInfo[Any, Any], request: object) -> TypeError:
    """The error of a call given something else than its method's request message."""
    name = method.input.__name__
    hint = f"{name}(**fields) builds one from a dict" if isinstance(request, dict) else ""
    return TypeError(
        f"{_rpc_name(method)} takes {method.input.DESCRIPTOR.full_name} messages, not "
        f"{_what(request)}: build the request with {name}(...)" + (f"; {hint}" if hint else "")
    )


def check_request(method: MethodInfo[Any, Any], request: object) -> None:
    """Refuse a request that is not the method's request message (a ``TypeError`` naming
    both), before anything is sent: protobuf would encode another message type silently."""
    if type(request) is not method.input:
        raise wrong_request(method, request)


def check_stream(method: MethodInfo[Any, Any], request: object, *, is_async: bool) -> None:
    """Refuse a single message (or a dict, a string) where a method takes a stream of them."""
    if isinstance(request, (Message, dict, str, bytes)) or not (
        isinstance(request, Iterable) or (is_async and isinstance(request, AsyncIterable))
    ):
        name = method.input.__name__
        kinds = "a list, a generator or an async iterable" if is_async else "a list or a generator"
        raise TypeError(
            f"{_rpc_name(method)} is {method.stream_type.value.replace('_', '-')}ing: pass "
            f"an iterable of {method.input.DESCRIPTOR.full_name} messages ({kinds}), not "
            f"{_what(request)}; for one message, pass [{name}(...)]"
        )


def resolve_get(config: ClientConfig, method: MethodInfo[Any, Any], use_get: bool | None) -> bool:
    """Whether a unary call goes out as GET.

    ``use_get=True`` on a call to a method with side effects is an error; the client-wide
    ``use_get`` applies only to ``NO_SIDE_EFFECTS`` methods.
    """
    allowed = method.idempotency_level is IdempotencyLevel.NO_SIDE_EFFECTS
    if use_get is None:
        return config.use_get and allowed
    if use_get and not allowed:
        raise ConnectError(
            Code.INVALID_ARGUMENT,
            f"{method.procedure} has side effects, so it cannot be called with GET",
        )
    return use_get


def transport_error(e: TransportError, base_url: str) -> ConnectError:
    """The :class:`ConnectError` a call raises for its transport's failure ``e``.

    A connection that could not be made names the address the transport tried, why (the
    operating system's reason, such as "connection refused", when there is one) and the
    client's base URL, the two things to check.
    """
    if e.code is Code.DEADLINE_EXCEEDED:
        return deadline_error()
    if e.address is not None:
        return ConnectError(
            e.code,
            f"cannot connect to {e.address}: {_connect_reason(e)}; is the server running, and "
            f"is {base_url} its address?",
        )
    return ConnectError(e.code, str(e))


def _connect_reason(e: BaseException) -> str:
    """Why a connection failed: the innermost operating-system error's reason (``"connection
    refused"``), else the HTTP library's exception, named with its package."""
    reason = ""
    seen: set[int] = set()
    cause: BaseException | None = e
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, OSError):
            if isinstance(cause.errno, int) and cause.errno > 0:
                reason = os.strerror(cause.errno)  # asyncio's own text names no reason
            elif cause.strerror:
                reason = cause.strerror  # a resolver's error (socket.gaierror)
        cause = cause.__cause__ or cause.__context__
    if reason:
        return reason[:1].lower() + reason[1:]
    inner = e.__cause__
    if inner is None:  # the transport's own words
        return str(e)
    kind = type(inner)
    package = kind.__module__.split(".")[0]
    name = kind.__qualname__ if package == "builtins" else f"{package}.{kind.__qualname__}"
    return f"{name}: {inner}" if str(inner) else name


def deadline_error() -> ConnectError:
    """The error of a call that ran past its deadline."""
    return ConnectError(Code.DEADLINE_EXCEEDED, "the call's deadline expired")


def canceled_error() -> ConnectError:
    """The error of a call canceled by the client."""
    return ConnectError(Code.CANCELED, "the call was canceled")


class CallPlan:
    """Everything a call needs decided before it starts (options resolved)."""

    __slots__ = ("cancel", "get", "headers", "protocol", "timeout_ms")

    def __init__(
        self,
        protocol: ClientProtocol,
        headers: HeaderList,
        timeout_ms: int | None,
        get: bool,
        cancel: CancelHandle | None = None,
    ) -> None:
        self.protocol = protocol
        self.headers = headers
        self.timeout_ms = timeout_ms
        self.get = get
        self.cancel = cancel


class ClientBase:
    """What the async and sync clients share: configuration and per-call option handling."""

    def __init__(
        self,
        base_url: str,
        *,
        codec: Codec = PROTO,
        send_compression: Compression | None = None,
        accept_compressions: Sequence[Compression] | None = None,
        compress_min_bytes: int = 1024,
        read_max_bytes: int = 4 * 1024 * 1024,
        send_max_bytes: int = 0,
        timeout_ms: int | None = None,
        headers: HeadersLike | None = None,
        use_get: bool = False,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._config = ClientConfig(
            codec=codec,
            send_compression=send_compression,
            accept_compressions=(
                tuple(accept_compressions)
                if accept_compressions is not None
                else default_compressions()
            ),
            compress_min_bytes=compress_min_bytes,
            read_max_bytes=read_max_bytes,
            send_max_bytes=send_max_bytes,
            timeout_ms=timeout_ms,
            headers=header_list(headers),
            use_get=use_get,
        )
        # The wire protocol is a choice of the client, not of its transport: gRPC and gRPC-Web
        # will be other factories here, over the same transports.
        self._protocol_factory: Callable[[ClientConfig], ClientProtocol] = ConnectClientProtocol
        self._protocol: ClientProtocol = self._protocol_factory(self._config)

    def _setup(self, method: MethodInfo[Any, Any], options: CallOptions) -> CallPlan:
        """Resolve a call's options against the client's configuration."""
        config = self._config
        protocol = self._protocol
        cancel = None
        if not options:
            timeout = config.timeout_ms
            get = config.use_get and method.idempotency_level is IdempotencyLevel.NO_SIDE_EFFECTS
            user = config.headers
        else:
            if not CONFIG_OPTIONS.isdisjoint(options):
                protocol = self._protocol_factory(config.with_options(options))
            timeout = options.get("timeout_ms", config.timeout_ms)
            get = (
                resolve_get(config, method, options.get("use_get"))
                if method.stream_type is StreamType.UNARY
                else False
            )
            extra = options.get("headers")
            user = config.headers + header_list(extra) if extra else config.headers
            cancel = options.get("cancel")
        return CallPlan(
            protocol, protocol.request_headers(method, get, timeout, user), timeout, get, cancel
        )
