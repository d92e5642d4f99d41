"""Call every method of the todo service with the generated async client.

Usage: ``python client.py http://127.0.0.1:8000`` (with ``gen`` on ``PYTHONPATH``).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator

from todo.v1.todo_connect import TodoServiceClient
from todo.v1.todo_pb2 import (
    AddTodoRequest,
    CompleteTodoRequest,
    ListTodosRequest,
    TodoEvent,
    WatchTodosRequest,
)

from connect_core import Code, ConnectError

TOKEN = "alice-token"


async def main(base_url: str) -> None:
    url = base_url.rstrip("/") + "/rpc"
    async with TodoServiceClient(url, headers={"authorization": f"Bearer {TOKEN}"}) as client:
        # Unary.
        for title in ("write the report", "water the plants"):
            reply = await client.add_todo(AddTodoRequest(title=title))
            print(f"[unary AddTodo]          {reply.todo.id}: {reply.todo.title}")

        # Client streaming.
        async def imports() -> AsyncIterator[AddTodoRequest]:
            for title in ("book the train", "call the plumber"):
                yield AddTodoRequest(title=title)

        imported = await client.import_todos(imports())
        print(
            f"[client stream Import]   imported {imported.imported}: "
            + ", ".join(t.id for t in imported.todos)
        )

        # Unary with GET (ListTodos has no side effects).
        listed = await client.list_todos(ListTodosRequest(), use_get=True)
        ids = [t.id for t in listed.todos]
        print(f"[unary GET ListTodos]    {len(ids)} todos: {', '.join(ids)}")

        # Server streaming: the list as it is, then live changes, in the background.
        snapshot_seen = asyncio.Event()
        events: list[TodoEvent] = []

        async def watch() -> None:
            stream = client.watch_todos(WatchTodosRequest(max_events=2 * len(ids)))
            async for event in stream:
                events.append(event)
                if len(events) == len(ids):
                    snapshot_seen.set()

        watcher = asyncio.create_task(watch())
        await snapshot_seen.wait()

        # Bidirectional streaming: each completion is answered at once.
        async def completions() -> AsyncIterator[CompleteTodoRequest]:
            for todo_id in ids:
                yield CompleteTodoRequest(id=todo_id)

        async for done in client.complete_todos(completions()):
            print(f"[bidi CompleteTodos]     {done.todo.id} done, {done.remaining} left")

        await watcher
        kinds = [TodoEvent.Kind.Name(e.kind).removeprefix("KIND_").lower() for e in events]
        print(
            f"[server stream Watch]    {len(events)} events: "
            + ", ".join(f"{k} {e.todo.id}" for k, e in zip(kinds, events, strict=True))
        )

    # The bearer-token dependency refuses a wrong token as a Connect error.
    async with TodoServiceClient(url, headers={"authorization": "Bearer nope"}) as intruder:
        try:
            await intruder.list_todos(ListTodosRequest())
        except ConnectError as e:
            assert e.code is Code.UNAUTHENTICATED
            print(f"[auth]                   wrong token -> {e.code.value}: {e.message}")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"))
