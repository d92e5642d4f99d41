"""``echo.v1.EchoService`` implementations that follow the request's steering fields.

See ``tests/proto/echo/v1/echo.proto``: ``count`` messages for Repeat, ``error_code`` (the
numeric Connect code) with ``error_message`` and ``error_details`` raises a ConnectError,
``delay_ms`` sleeps before answering (or before each stream message), ``response_headers`` and
``response_trailers`` are set on the context. Responses echo ``message`` and ``payload`` and
report the request headers, the remaining deadline and the HTTP method the handler saw.

Debug hook: a unary ``Echo`` whose message is ``"__active__:<key>"`` answers with the number of
Repeat streams whose request message is ``<key>`` that are running right now (in ``message``)
and how many of them ended without finishing (in ``index``). Tests use it to prove that a
client disconnect cancels the handler.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator

from echo.v1.echo_connect import EchoService, EchoServiceSync
from echo.v1.echo_pb2 import EchoRequest, EchoResponse
from google.protobuf import any_pb2, json_format, symbol_database

from connect_core import Code, ConnectError, ErrorDetail, RequestContext

ACTIVE_PREFIX = "__active__:"
HEADERS_FIRST = "__headers_first__"  # Repeat (async): send the response headers before waiting


class StreamTracker:
    """Counts running and abandoned streams per key (class-level: one per server process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.active: dict[str, int] = {}
        self.abandoned: dict[str, int] = {}

    def enter(self, key: str) -> None:
        with self._lock:
            self.active[key] = self.active.get(key, 0) + 1

    def leave(self, key: str, finished: bool) -> None:
        with self._lock:
            self.active[key] -= 1
            if not finished:
                self.abandoned[key] = self.abandoned.get(key, 0) + 1

    def report(self, key: str) -> EchoResponse:
        with self._lock:
            return EchoResponse(
                message=str(self.active.get(key, 0)), index=self.abandoned.get(key, 0)
            )


def apply_metadata(request: EchoRequest, ctx: RequestContext) -> None:
    """Set the response headers and trailers the request asks for."""
    for k, v in request.response_headers.items():
        ctx.response_headers()[k] = v
    for k, v in request.response_trailers.items():
        ctx.response_trailers()[k] = v


def _debug(detail: any_pb2.Any) -> object:
    """The detail in the proto3 JSON mapping when its type is known here, else ``None``."""
    try:
        cls = symbol_database.Default().GetSymbol(detail.type_url.rsplit("/", 1)[-1])
    except KeyError:
        return None
    value = cls()
    detail.Unpack(value)
    return json_format.MessageToDict(value)


def maybe_raise(request: EchoRequest) -> None:
    """Raise the error the request asks for, if any (details carry ``debug`` JSON)."""
    if request.error_code:
        raise ConnectError(
            Code.from_number(request.error_code),
            request.error_message,
            details=[ErrorDetail(d, debug=_debug(d)) for d in request.error_details],
        )


def make_response(
    request: EchoRequest,
    ctx: RequestContext,
    *,
    index: int = 0,
    message: str | None = None,
    payload: bytes | None = None,
) -> EchoResponse:
    """The response echoing ``request`` and describing what the handler saw."""
    remaining = ctx.timeout_ms()
    return EchoResponse(
        message=request.message if message is None else message,
        payload=request.payload if payload is None else payload,
        index=index,
        request_headers={k: ctx.request_headers()[k] for k in ctx.request_headers()},
        timeout_ms=-1 if remaining is None else int(remaining),
        http_method=ctx.http_method(),
    )


class AsyncEcho(EchoService):
    """Async handlers, for the ASGI application."""

    tracker = StreamTracker()

    async def echo(self, request: EchoRequest, ctx: RequestContext) -> EchoResponse:
        if request.message.startswith(ACTIVE_PREFIX):
            return self.tracker.report(request.message[len(ACTIVE_PREFIX) :])
        return await self._unary(request, ctx)

    async def echo_post(self, request: EchoRequest, ctx: RequestContext) -> EchoResponse:
        return await self._unary(request, ctx)

    async def _unary(self, request: EchoRequest, ctx: RequestContext) -> EchoResponse:
        if request.message == HEADERS_FIRST:
            await ctx.send_headers()  # a unary call: nothing to send early
        apply_metadata(request, ctx)
        if request.delay_ms:
            # Tracked like a Repeat stream, so tests can see a slow call cancelled.
            self.tracker.enter(request.message)
            finished = False
            try:
                await asyncio.sleep(request.delay_ms / 1000)
                finished = True
            finally:
                self.tracker.leave(request.message, finished)
        maybe_raise(request)
        return make_response(request, ctx)

    async def collect(
        self, request: AsyncIterator[EchoRequest], ctx: RequestContext
    ) -> EchoResponse:
        messages: list[str] = []
        payload = b""
        first: EchoRequest | None = None
        async for message in request:
            first = first or message
            apply_metadata(message, ctx)
            if message.delay_ms:
                await asyncio.sleep(message.delay_ms / 1000)
            maybe_raise(message)
            messages.append(message.message)
            payload += message.payload
        return make_response(
            first or EchoRequest(),
            ctx,
            index=len(messages),
            message=" ".join(messages),
            payload=payload,
        )

    async def repeat(
        self, request: EchoRequest, ctx: RequestContext
    ) -> AsyncIterator[EchoResponse]:
        apply_metadata(request, ctx)
        if request.message == HEADERS_FIRST:
            await ctx.send_headers()
            ctx.response_headers()["x-too-late"] = "1"  # after send_headers(): not sent
        key = request.message
        self.tracker.enter(key)
        finished = False
        try:
            for i in range(request.count):
                if request.delay_ms:
                    await asyncio.sleep(request.delay_ms / 1000)
                yield make_response(request, ctx, index=i)
            maybe_raise(request)
            finished = True
        finally:
            self.tracker.leave(key, finished)

    async def chat(
        self, request: AsyncIterator[EchoRequest], ctx: RequestContext
    ) -> AsyncIterator[EchoResponse]:
        i = 0
        key: str | None = None  # tracked under its first message, like a Repeat stream
        finished = False
        try:
            async for message in request:
                if key is None:
                    key = message.message
                    self.tracker.enter(key)
                apply_metadata(message, ctx)
                if message.delay_ms:
                    await asyncio.sleep(message.delay_ms / 1000)
                maybe_raise(message)
                yield make_response(message, ctx, index=i)
                i += 1
            finished = True
        finally:
            if key is not None:
                self.tracker.leave(key, finished)


class SyncEcho(EchoServiceSync):
    """Sync handlers, for the WSGI application."""

    tracker = StreamTracker()

    def echo(self, request: EchoRequest, ctx: RequestContext) -> EchoResponse:
        if request.message.startswith(ACTIVE_PREFIX):
            return self.tracker.report(request.message[len(ACTIVE_PREFIX) :])
        return self._unary(request, ctx)

    def echo_post(self, request: EchoRequest, ctx: RequestContext) -> EchoResponse:
        return self._unary(request, ctx)

    def _unary(self, request: EchoRequest, ctx: RequestContext) -> EchoResponse:
        apply_metadata(request, ctx)
        if request.delay_ms:
            time.sleep(request.delay_ms / 1000)
        maybe_raise(request)
        return make_response(request, ctx)

    def collect(self, request: Iterator[EchoRequest], ctx: RequestContext) -> EchoResponse:
        messages: list[str] = []
        payload = b""
        first: EchoRequest | None = None
        for message in request:
            first = first or message
            apply_metadata(message, ctx)
            if message.delay_ms:
                time.sleep(message.delay_ms / 1000)
            maybe_raise(message)
            messages.append(message.message)
            payload += message.payload
        return make_response(
            first or EchoRequest(),
            ctx,
            index=len(messages),
            message=" ".join(messages),
            payload=payload,
        )

    def repeat(self, request: EchoRequest, ctx: RequestContext) -> Iterator[EchoResponse]:
        apply_metadata(request, ctx)
        key = request.message
        self.tracker.enter(key)
        finished = False
        try:
            for i in range(request.count):
                if request.delay_ms:
                    time.sleep(request.delay_ms / 1000)
                yield make_response(request, ctx, index=i)
            maybe_raise(request)
            finished = True
        finally:
            self.tracker.leave(key, finished)

    def chat(self, request: Iterator[EchoRequest], ctx: RequestContext) -> Iterator[EchoResponse]:
        key: str | None = None  # tracked under its first message, like a Repeat stream
        finished = False
        try:
            for i, message in enumerate(request):
                if key is None:
                    key = message.message
                    self.tracker.enter(key)
                apply_metadata(message, ctx)
                if message.delay_ms:
                    time.sleep(message.delay_ms / 1000)
                maybe_raise(message)
                yield make_response(message, ctx, index=i)
            finished = True
        finally:
            if key is not None:
                self.tracker.leave(key, finished)
