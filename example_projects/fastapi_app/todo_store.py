"""An in-memory todo store with a broadcaster: the resource the app creates in its lifespan."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from contextlib import contextmanager

from google.protobuf.timestamp_pb2 import Timestamp
from todo.v1.todo_pb2 import Todo, TodoEvent


class TodoStore:
    """Todos per owner, and a queue of events for everyone watching an owner's list."""

    def __init__(self) -> None:
        self._todos: dict[str, Todo] = {}
        self._ids = itertools.count(1)
        self._watchers: dict[str, set[asyncio.Queue[TodoEvent]]] = {}

    def add(self, owner: str, title: str) -> Todo:
        created = Timestamp()
        created.GetCurrentTime()
        todo = Todo(id=f"t{next(self._ids)}", title=title, owner=owner, created_at=created)
        self._todos[todo.id] = todo
        self._publish(owner, TodoEvent(kind=TodoEvent.KIND_ADDED, todo=todo))
        return todo

    def complete(self, owner: str, todo_id: str) -> Todo:
        """Mark a todo done; ``KeyError`` when the owner has no such todo."""
        todo = self._todos.get(todo_id)
        if todo is None or todo.owner != owner:
            raise KeyError(todo_id)
        todo.done = True
        self._publish(owner, TodoEvent(kind=TodoEvent.KIND_COMPLETED, todo=todo))
        return todo

    def list(self, owner: str, include_done: bool = True) -> list[Todo]:
        return [
            t for t in self._todos.values() if t.owner == owner and (include_done or not t.done)
        ]

    @contextmanager
    def watch(self, owner: str) -> Iterator[asyncio.Queue[TodoEvent]]:
        """A queue receiving every event of ``owner``'s list while the block runs."""
        queue: asyncio.Queue[TodoEvent] = asyncio.Queue()
        self._watchers.setdefault(owner, set()).add(queue)
        try:
            yield queue
        finally:
            self._watchers[owner].discard(queue)

    def watcher_count(self) -> int:
        return sum(len(w) for w in self._watchers.values())

    def _publish(self, owner: str, event: TodoEvent) -> None:
        for queue in self._watchers.get(owner, ()):
            queue.put_nowait(event)
