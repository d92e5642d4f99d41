"""The floor: a bare ASGI app answering every request like a Connect unary call would.

It reads the whole request body and answers with a pre-encoded 100-byte ``Payload`` proto,
``content-type: application/proto`` and ``content-length`` -- the same bytes the Connect
servers return for the benchmark's unary request, without any RPC machinery.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

PAYLOAD_SIZE = 100
# Payload{data = 1: bytes}: tag 0x0A, length 98, then 98 bytes -> 100 bytes on the wire.
RESPONSE_BODY = b"\x0a\x62" + b"x" * (PAYLOAD_SIZE - 2)
_START: Message = {
    "type": "http.response.start",
    "status": 200,
    "headers": [
        (b"content-type", b"application/proto"),
        (b"content-length", str(len(RESPONSE_BODY)).encode()),
    ],
}
_BODY: Message = {"type": "http.response.body", "body": RESPONSE_BODY}


async def app(scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
    """Read the request body, then send the fixed response."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        more = message.get("more_body", False)
    await send(_START)
    await send(_BODY)
