import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Todo(_message.Message):
    __slots__ = ("id", "title", "done", "owner", "created_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DONE_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    title: str
    done: bool
    owner: str
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., title: _Optional[str] = ..., done: _Optional[bool] = ..., owner: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AddTodoRequest(_message.Message):
    __slots__ = ("title",)
    TITLE_FIELD_NUMBER: _ClassVar[int]
    title: str
    def __init__(self, title: _Optional[str] = ...) -> None: ...

class AddTodoResponse(_message.Message):
    __slots__ = ("todo",)
    TODO_FIELD_NUMBER: _ClassVar[int]
    todo: Todo
    def __init__(self, todo: _Optional[_Union[Todo, _Mapping]] = ...) -> None: ...

class ListTodosRequest(_message.Message):
    __slots__ = ("include_done",)
    INCLUDE_DONE_FIELD_NUMBER: _ClassVar[int]
    include_done: bool
    def __init__(self, include_done: _Optional[bool] = ...) -> None: ...

class ListTodosResponse(_message.Message):
    __slots__ = ("todos",)
    TODOS_FIELD_NUMBER: _ClassVar[int]
    todos: _containers.RepeatedCompositeFieldContainer[Todo]
    def __init__(self, todos: _Optional[_Iterable[_Union[Todo, _Mapping]]] = ...) -> None: ...

class WatchTodosRequest(_message.Message):
    __slots__ = ("max_events",)
    MAX_EVENTS_FIELD_NUMBER: _ClassVar[int]
    max_events: int
    def __init__(self, max_events: _Optional[int] = ...) -> None: ...

class TodoEvent(_message.Message):
    __slots__ = ("kind", "todo")
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        KIND_UNSPECIFIED: _ClassVar[TodoEvent.Kind]
        KIND_EXISTING: _ClassVar[TodoEvent.Kind]
        KIND_ADDED: _ClassVar[TodoEvent.Kind]
        KIND_COMPLETED: _ClassVar[TodoEvent.Kind]
    KIND_UNSPECIFIED: TodoEvent.Kind
    KIND_EXISTING: TodoEvent.Kind
    KIND_ADDED: TodoEvent.Kind
    KIND_COMPLETED: TodoEvent.Kind
    KIND_FIELD_NUMBER: _ClassVar[int]
    TODO_FIELD_NUMBER: _ClassVar[int]
    kind: TodoEvent.Kind
    todo: Todo
    def __init__(self, kind: _Optional[_Union[TodoEvent.Kind, str]] = ..., todo: _Optional[_Union[Todo, _Mapping]] = ...) -> None: ...

class ImportTodosResponse(_message.Message):
    __slots__ = ("imported", "todos")
    IMPORTED_FIELD_NUMBER: _ClassVar[int]
    TODOS_FIELD_NUMBER: _ClassVar[int]
    imported: int
    todos: _containers.RepeatedCompositeFieldContainer[Todo]
    def __init__(self, imported: _Optional[int] = ..., todos: _Optional[_Iterable[_Union[Todo, _Mapping]]] = ...) -> None: ...

class CompleteTodoRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class CompleteTodoResponse(_message.Message):
    __slots__ = ("todo", "remaining")
    TODO_FIELD_NUMBER: _ClassVar[int]
    REMAINING_FIELD_NUMBER: _ClassVar[int]
    todo: Todo
    remaining: int
    def __init__(self, todo: _Optional[_Union[Todo, _Mapping]] = ..., remaining: _Optional[int] = ...) -> None: ...
