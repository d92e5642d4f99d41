"""Perform one ``ClientCompatRequest`` with the sync client (``ConformanceServiceClientSync``).

Each call runs in a thread of the program's pool and is cancelled through the public
:class:`~connect_core.CancelHandle`: a timer thread cancels it ``after_close_send_ms`` after
the send side closed (for unary and server-stream calls: right after invoking them, which is
when a blocking call sends its request), the request iterator cancels it instead of ending
(``before_close_send``), and the reading loop cancels it after ``after_num_responses``
messages and then reads on, to see the call end with ``canceled`` as a caller would.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from typing import Any

from connectrpc.conformance.v1 import config_pb2
from connectrpc.conformance.v1.service_connect import ConformanceServiceClientSync
from google.protobuf.message import Message

from connect_core import CancelHandle, ConnectError, ResponseMetadata, SyncTransport

from ._client_request import CallPlan
from ._client_result import Outcome

_END = object()


class _Call:
    """One call in progress: the client, the plan, its cancel handle and timer."""

    def __init__(self, plan: CallPlan, transport: SyncTransport, outcome: Outcome) -> None:
        self.plan = plan
        self.outcome = outcome
        self.client: Any = ConformanceServiceClientSync(
            plan.base_url, transport=transport, **plan.client_options
        )
        self.handle = CancelHandle()
        self.options = {**plan.call_options, "cancel": self.handle}
        self.timer: threading.Timer | None = None
        self.received = 0

    def send_closed(self) -> None:
        """The send side has closed: start the cancel timer if the plan has one."""
        plan = self.plan
        if plan.cancel_timing != "after_close_send_ms":
            return
        delay = plan.request.cancel.after_close_send_ms / 1000.0
        if delay <= 0:
            self.handle.cancel()
            return
        self.timer = threading.Timer(delay, self.handle.cancel)
        self.timer.daemon = True
        self.timer.start()

    def requests(self) -> Iterator[Message]:
        """The request stream of a client or half-duplex bidi call."""
        plan = self.plan
        for message in plan.messages:
            if plan.delay_s:
                time.sleep(plan.delay_s)
            yield message
        if plan.cancel_timing == "before_close_send":
            self.handle.cancel()  # instead of closing: the exchange is aborted here
            return
        self.send_closed()

    def take(self, message: Any) -> None:
        """Record a response; cancel once the plan's number of responses has arrived (the
        call then ends with ``canceled`` at its next read)."""
        self.outcome.add(message)
        self.received += 1
        plan = self.plan
        if (
            plan.cancel_timing == "after_num_responses"
            and self.received >= plan.request.cancel.after_num_responses
        ):
            self.handle.cancel()

    def run(self) -> None:
        """Make the call, recording what it returns; raise its error."""
        plan = self.plan
        method = getattr(self.client, plan.method_attr)
        if plan.stream_type == config_pb2.STREAM_TYPE_UNARY:
            if plan.delay_s:
                time.sleep(plan.delay_s)
            self.send_closed()  # the blocking call sends its request as it starts
            self.outcome.add(method(plan.messages[0], **self.options))
        elif plan.stream_type == config_pb2.STREAM_TYPE_CLIENT_STREAM:
            self.outcome.add(method(self.requests(), **self.options))
        elif plan.stream_type == config_pb2.STREAM_TYPE_SERVER_STREAM:
            if plan.delay_s:
                time.sleep(plan.delay_s)
            self.send_closed()
            self._read(method(plan.messages[0], **self.options))
        elif plan.full_duplex:
            self._full_duplex(method)
        else:
            self._read(method(self.requests(), **self.options))

    def _read(self, stream: Iterator[Any]) -> None:
        try:
            for message in stream:
                self.take(message)
        finally:
            _close(stream)

    def _full_duplex(self, method: Any) -> None:
        """Send a request, read a response, and so on; then close the send side."""
        plan = self.plan
        pending: queue.SimpleQueue[Any] = queue.SimpleQueue()

        def requests() -> Iterator[Message]:
            while (message := pending.get()) is not _END:
                yield message

        stream: Iterator[Any] = method(requests(), **self.options)
        try:
            ended = False
            for message in plan.messages:
                if plan.delay_s:
                    time.sleep(plan.delay_s)
                pending.put(message)
                reply = next(stream, _END)
                if reply is _END:
                    ended = True
                    break
                self.take(reply)
            if plan.cancel_timing == "before_close_send":
                self.handle.cancel()
            else:
                pending.put(_END)
                self.send_closed()
            if not ended:
                for reply in stream:
                    self.take(reply)
        finally:
            pending.put(_END)  # the iterator's thread must not wait forever
            _close(stream)

    def stop(self) -> None:
        """Stop the cancel timer, if any."""
        if self.timer is not None:
            self.timer.cancel()


def _close(stream: Iterator[Any]) -> None:
    close = getattr(stream, "close", None)
    if close is not None:
        close()


def perform(plan: CallPlan, transport: SyncTransport) -> Outcome:
    """Make the call ``plan`` describes (in this thread) and return what happened."""
    outcome = Outcome()
    call = _Call(plan, transport, outcome)
    with ResponseMetadata() as meta:
        try:
            call.run()
        except ConnectError as e:
            outcome.error = e
        finally:
            call.stop()
        outcome.headers = meta.headers()
        outcome.trailers = meta.trailers()
    return outcome
