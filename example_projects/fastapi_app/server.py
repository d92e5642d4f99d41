"""A todo service served by FastAPI through ``connect_fastapi.ConnectRouter``.

Run it with ``uvicorn server:app`` (with ``gen`` on ``PYTHONPATH``; ``demo.py`` does it all).

* The store is created in the app's lifespan and put on ``app.state``; handlers reach it
  through ``ctx.request.app.state``.
* A bearer-token dependency authenticates every Connect call and puts the user on
  ``request.state``; a missing or unknown token becomes a Connect ``unauthenticated`` error.
* ``/docs`` documents the unary methods (AddTodo, ListTodos) with their JSON schemas.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from connect_fastapi import ConnectRouter, cors_options
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from todo.v1.todo_connect import TodoService
from todo.v1.todo_pb2 import (
    AddTodoRequest,
    AddTodoResponse,
    CompleteTodoRequest,
    CompleteTodoResponse,
    ImportTodosResponse,
    ListTodosRequest,
    ListTodosResponse,
    TodoEvent,
    WatchTodosRequest,
)
from todo_store import TodoStore

from connect_core import Code, ConnectError, RequestContext

TOKENS = {"alice-token": "alice", "bob-token": "bob"}

bearer = HTTPBearer(auto_error=False)


async def current_user(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> str:
    """The user of the bearer token; 401 (Connect: ``unauthenticated``) without a valid one."""
    user = TOKENS.get(credentials.credentials) if credentials else None
    if user is None:
        raise HTTPException(
            401, "a valid bearer token is required", headers={"WWW-Authenticate": "Bearer"}
        )
    request.state.user = user
    return user


def _store(ctx: RequestContext) -> TodoStore:
    store: TodoStore = ctx.request.app.state.store
    return store


def _user(ctx: RequestContext) -> str:
    user: str = ctx.request.state.user
    return user


class Todos(TodoService):
    """The handlers: async, so they run on the event loop."""

    async def add_todo(self, request: AddTodoRequest, ctx: RequestContext) -> AddTodoResponse:
        if not request.title.strip():
            raise ConnectError(Code.INVALID_ARGUMENT, "a todo needs a title")
        return AddTodoResponse(todo=_store(ctx).add(_user(ctx), request.title))

    async def list_todos(self, request: ListTodosRequest, ctx: RequestContext) -> ListTodosResponse:
        return ListTodosResponse(todos=_store(ctx).list(_user(ctx), request.include_done))

    async def watch_todos(
        self, request: WatchTodosRequest, ctx: RequestContext
    ) -> AsyncIterator[TodoEvent]:
        store, user = _store(ctx), _user(ctx)
        limit = request.max_events  # 0: no limit
        sent = 0
        with store.watch(user) as events:
            # Subscribed: open the stream now, even when there is nothing to send yet.
            await ctx.send_headers()
            for todo in store.list(user):
                if limit and sent >= limit:
                    return  # max_events counts the existing todos too
                yield TodoEvent(kind=TodoEvent.KIND_EXISTING, todo=todo)
                sent += 1
            while not limit or sent < limit:
                yield await events.get()
                sent += 1

    async def import_todos(
        self, request: AsyncIterator[AddTodoRequest], ctx: RequestContext
    ) -> ImportTodosResponse:
        store, user = _store(ctx), _user(ctx)
        added = [store.add(user, item.title) async for item in request if item.title.strip()]
        return ImportTodosResponse(imported=len(added), todos=added)

    async def complete_todos(
        self, request: AsyncIterator[CompleteTodoRequest], ctx: RequestContext
    ) -> AsyncIterator[CompleteTodoResponse]:
        store, user = _store(ctx), _user(ctx)
        async for item in request:
            try:
                todo = store.complete(user, item.id)
            except KeyError:
                raise ConnectError(Code.NOT_FOUND, f"no todo {item.id!r}") from None
            yield CompleteTodoResponse(todo=todo, remaining=len(store.list(user, False)))


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.store = TodoStore()
    yield


app = FastAPI(title="Todo service", lifespan=lifespan)
app.include_router(ConnectRouter(Todos(), dependencies=[Depends(current_user)]), prefix="/rpc")
app.add_middleware(
    CORSMiddleware,
    **cors_options(allow_origins=["http://localhost:5173"], extra_headers=["authorization"]),
)


@app.get("/healthz")
async def healthz(request: Request) -> dict[str, int]:
    """A plain FastAPI route next to the Connect ones."""
    return {"watchers": request.app.state.store.watcher_count()}
