"""The conformance client: performs the runner's calls with this project's clients.

Run from the repository root::

    python -m conformance.client --transport httpx --mode async

It reads size-prefixed ``ClientCompatRequest`` messages from stdin until EOF, performs each
one with ``ConformanceServiceClient`` (``--mode async``: a task per call on one event loop) or
``ConformanceServiceClientSync`` (``--mode sync``: a thread per call, from a pool) over the
chosen transport, and writes a ``ClientCompatResponse`` for each to stdout as it completes.
The calls run concurrently: the runner sends many at once and expects them handled in
parallel. Only the Connect protocol is spoken.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import signal
import sys
import threading
import traceback
from typing import BinaryIO

from connectrpc.conformance.v1 import client_compat_pb2

from ._client_request import UnsupportedRequest, plan
from ._client_result import failure
from ._client_transports import (
    ASYNC_TRANSPORTS,
    SYNC_TRANSPORTS,
    AsyncTransports,
    SyncTransports,
)
from ._wire import read_message, write_message

Request = client_compat_pb2.ClientCompatRequest
Response = client_compat_pb2.ClientCompatResponse


class _Output:
    """Writes responses to the runner, one at a time whatever thread finishes a call."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def write(self, response: Response) -> None:
        with self._lock:
            write_message(self._stream, response)


def _unexpected(request: Request, e: BaseException) -> Response:
    detail = "".join(traceback.format_exception(e))
    return failure(request.test_name, f"the client program failed: {detail}")


# -- async -----------------------------------------------------------------------------------------


async def _run_async(transport: str, stdin: BinaryIO, out: _Output) -> None:
    from ._client_async import perform

    loop = asyncio.get_running_loop()
    transports = AsyncTransports(transport)
    tasks: set[asyncio.Task[None]] = set()

    async def handle(request: Request) -> None:
        try:
            call = plan(request)
            outcome = await perform(call, transports.get(call))
            response = outcome.response(request.test_name)
        except UnsupportedRequest as e:
            response = failure(request.test_name, str(e))
        except Exception as e:
            response = _unexpected(request, e)
        out.write(response)

    try:
        while True:
            # Reading blocks, so it happens on a thread; the calls run on this loop meanwhile.
            request = await loop.run_in_executor(None, read_message, stdin, Request)
            if request is None:
                break
            task = asyncio.create_task(handle(request))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        while tasks:
            await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await transports.aclose()


# -- sync ------------------------------------------------------------------------------------------


def _run_sync(transport: str, stdin: BinaryIO, out: _Output, workers: int) -> None:
    from ._client_sync import perform

    transports = SyncTransports(transport)

    def handle(request: Request) -> None:
        try:
            call = plan(request)
            response = perform(call, transports.get(call)).response(request.test_name)
        except UnsupportedRequest as e:
            response = failure(request.test_name, str(e))
        except Exception as e:
            response = _unexpected(request, e)
        out.write(response)

    with concurrent.futures.ThreadPoolExecutor(workers, "conformance-call") as pool:
        try:
            while (request := read_message(stdin, Request)) is not None:
                pool.submit(handle, request)
        finally:
            pool.shutdown(wait=True)
            transports.close()


# -- main ------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and serve the runner until stdin ends."""
    parser = argparse.ArgumentParser(prog="python -m conformance.client", description=__doc__)
    parser.add_argument("--mode", choices=("async", "sync"), required=True)
    parser.add_argument(
        "--transport",
        required=True,
        choices=sorted(set(ASYNC_TRANSPORTS) | set(SYNC_TRANSPORTS)),
    )
    parser.add_argument(
        "--workers", type=int, default=128, help="sync mode: calls in flight at once"
    )
    args = parser.parse_args(argv)
    available = ASYNC_TRANSPORTS if args.mode == "async" else SYNC_TRANSPORTS
    if args.transport not in available:
        parser.error(f"{args.mode} mode has no {args.transport} transport; choose from {available}")
    # The runner stops a client with SIGTERM: end at once, as an interrupted process would.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    out = _Output(sys.stdout.buffer)
    if args.mode == "async":
        asyncio.run(_run_async(args.transport, sys.stdin.buffer, out))
    else:
        _run_sync(args.transport, sys.stdin.buffer, out, args.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
