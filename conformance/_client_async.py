"""Perform one ``ClientCompatRequest`` with the async client (``ConformanceServiceClient``).

Cancellation is asyncio's own: the call runs as a task that is cancelled at the point the
request names (``after_close_send_ms`` after the send side closed, or when the request
stream has been sent but not closed), and a cancelled call is reported as the Connect error
``canceled``. ``after_num_responses`` stops reading and closes the stream, which releases
the exchange (an HTTP/2 stream is reset, an HTTP/1.1 connection closed).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from connectrpc.conformance.v1 import config_pb2
from connectrpc.conformance.v1.service_connect import ConformanceServiceClient
from google.protobuf.message import Message

from connect_core import AsyncTransport, Code, ConnectError, ResponseMetadata

from ._client_request import CallPlan
from ._client_result import Outcome

_UNARY = (config_pb2.STREAM_TYPE_UNARY,)


def canceled() -> ConnectError:
    """The error a call canceled by this program reports."""
    return ConnectError(Code.CANCELED, "canceled by the client")


class _Call:
    """One call in progress: the client, the plan, and when its send side closed."""

    def __init__(self, plan: CallPlan, transport: AsyncTransport, outcome: Outcome) -> None:
        self.plan = plan
        self.outcome = outcome
        self.client = ConformanceServiceClient(
            plan.base_url, transport=transport, **plan.client_options
        )
        self.send_closed = asyncio.Event()  # all requests sent and the send side closed
        self.all_sent = asyncio.Event()  # all requests sent, the send side left open
        self.received = 0

    async def requests(self) -> AsyncIterator[Message]:
        """The request stream of a client or half-duplex bidi call."""
        plan = self.plan
        for message in plan.messages:
            if plan.delay_s:
                await asyncio.sleep(plan.delay_s)
            yield message
        if plan.cancel_timing == "before_close_send":
            self.all_sent.set()
            await asyncio.Future()  # never closes: the call is cancelled instead
        self.send_closed.set()

    def take(self, message: Any) -> bool:
        """Record a response; True when the plan says to cancel now."""
        self.outcome.add(message)
        self.received += 1
        plan = self.plan
        return (
            plan.cancel_timing == "after_num_responses"
            and self.received >= plan.request.cancel.after_num_responses
        )

    async def run(self) -> None:
        """Make the call, recording what it returns; raise its error."""
        plan = self.plan
        client: Any = self.client
        method = getattr(client, plan.method_attr)
        options = plan.call_options
        if plan.stream_type in _UNARY:
            if plan.delay_s:
                await asyncio.sleep(plan.delay_s)
            self.send_closed.set()  # invoking a unary call sends the request and closes
            self.outcome.add(await method(plan.messages[0], **options))
        elif plan.stream_type == config_pb2.STREAM_TYPE_CLIENT_STREAM:
            self.outcome.add(await method(self.requests(), **options))
        elif plan.stream_type == config_pb2.STREAM_TYPE_SERVER_STREAM:
            if plan.delay_s:
                await asyncio.sleep(plan.delay_s)
            self.send_closed.set()
            await self._read(method(plan.messages[0], **options))
        elif plan.full_duplex:
            await self._full_duplex(method, options)
        else:
            await self._read(method(self.requests(), **options))

    async def _read(self, stream: AsyncIterator[Any]) -> None:
        try:
            async for message in stream:
                if self.take(message):
                    raise canceled()
        finally:
            await _close(stream)

    async def _full_duplex(self, method: Any, options: dict[str, Any]) -> None:
        """Send a request, read a response, and so on; then close the send side."""
        plan = self.plan
        queue: asyncio.Queue[Message | None] = asyncio.Queue()

        async def requests() -> AsyncIterator[Message]:
            while (message := await queue.get()) is not None:
                yield message

        stream: AsyncIterator[Any] = method(requests(), **options)
        try:
            ended = False
            for message in plan.messages:
                if plan.delay_s:
                    await asyncio.sleep(plan.delay_s)
                queue.put_nowait(message)
                reply = await anext(stream, None)
                if reply is None:
                    ended = True
                    break
                if self.take(reply):
                    raise canceled()
            if plan.cancel_timing == "before_close_send":
                raise canceled()
            queue.put_nowait(None)
            self.send_closed.set()
            if not ended:
                async for reply in stream:
                    if self.take(reply):
                        raise canceled()
        finally:
            await _close(stream)


async def _close(stream: AsyncIterator[Any]) -> None:
    aclose = getattr(stream, "aclose", None)
    if aclose is not None:
        await aclose()


async def perform(plan: CallPlan, transport: AsyncTransport) -> Outcome:
    """Make the call ``plan`` describes and return what happened."""
    outcome = Outcome()
    call = _Call(plan, transport, outcome)
    timing = plan.cancel_timing
    with ResponseMetadata() as meta:
        # The task inherits this context, so the call's metadata lands in ``meta``.
        task = asyncio.create_task(call.run())
        cancelled_here = False
        try:
            if timing in ("after_close_send_ms", "before_close_send"):
                cancelled_here = await _cancel_when_due(call, task, timing)
            await task
        except ConnectError as e:
            outcome.error = e
        except asyncio.CancelledError:
            if not cancelled_here:
                raise
            outcome.error = canceled()
        finally:
            if not task.done():
                task.cancel()
        outcome.headers = meta.headers()
        outcome.trailers = meta.trailers()
    return outcome


async def _cancel_when_due(call: _Call, task: asyncio.Task[None], timing: str) -> bool:
    """Cancel ``task`` at the moment the plan names; True when it was cancelled."""
    event = call.all_sent if timing == "before_close_send" else call.send_closed
    waiter = asyncio.create_task(event.wait())
    try:
        await asyncio.wait((task, waiter), return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
    if task.done():
        return False
    if timing == "after_close_send_ms":
        delay = call.plan.request.cancel.after_close_send_ms / 1000.0
        await asyncio.wait((task,), timeout=delay)
        if task.done():
            return False
    task.cancel()
    return True
