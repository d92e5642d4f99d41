"""A cancellation that arrives while an async transport connects is never lost.

On Python 3.11, ``asyncio.wait_for`` returns the inner result and drops the cancellation
when both happen in the same loop iteration; a call cancelled just as its connection opened
then went on, sent its request and waited for an answer. The server here cancels the
calling task from its accept callback, which lands in that window again and again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from connect_core import AsyncTransport, H2Transport, HttptoolsAsyncTransport

ROUNDS = 40


async def _cancel_on_accept(make: Callable[[], AsyncTransport]) -> list[str]:
    """Run ROUNDS calls, each cancelled as the server accepts its connection; return what
    went wrong (empty: every cancellation took effect)."""
    victim: list[asyncio.Task[Any]] = []
    held: list[asyncio.StreamWriter] = []

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)  # never answer: only a cancellation ends the call
        if victim:
            victim[-1].cancel()

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    problems: list[str] = []
    try:
        for i in range(ROUNDS):
            transport = make()  # a fresh pool: every call opens a connection
            task = asyncio.create_task(
                transport.send("POST", f"http://127.0.0.1:{port}/x", [], b"body")
            )
            victim.append(task)
            done, _ = await asyncio.wait({task}, timeout=2.0)
            if not done:
                problems.append(f"round {i}: the cancellation was lost; the call kept waiting")
                task.cancel()
            elif not task.cancelled():
                problems.append(f"round {i}: ended with {task.exception()!r}, not cancelled")
            await transport.aclose()
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()
    return problems


@pytest.mark.parametrize("make", [HttptoolsAsyncTransport, H2Transport], ids=["httptools", "h2"])
def test_cancel_while_connecting_is_not_lost(make: Callable[[], AsyncTransport]) -> None:
    assert asyncio.run(_cancel_on_accept(make)) == []
