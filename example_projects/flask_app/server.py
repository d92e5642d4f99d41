"""The notes service in a Flask app: ``gunicorn -c gunicorn.conf.py server:app``.

The Connect service is one blueprint among the app's routes. A ``before_request`` hook on
it checks the bearer token and puts the user on ``g`` (``abort(401)`` reaches clients as
Connect's ``unauthenticated``); handlers read the user from ``g`` and the board from
``current_app.extensions``; a plain Flask route (``/health``) sits beside the service.
"""

from __future__ import annotations

from collections.abc import Iterator

from connect_flask import ConnectBlueprint, cors_options
from flask import Flask, abort, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue
from flask_cors import CORS
from note_board import NoteBoard
from notes.v1.notes_connect import NoteServiceSync
from notes.v1.notes_pb2 import (
    AddNoteRequest,
    AddNoteResponse,
    ImportNotesResponse,
    ListNotesRequest,
    ListNotesResponse,
    Note,
    ReviewRequest,
    ReviewResponse,
    TailNotesRequest,
)

from connect_core import Code, ConnectError, RequestContext

TOKENS = {"ada-token": "ada", "grace-token": "grace"}


def board() -> NoteBoard:
    """The app's board (one per process)."""
    found: NoteBoard = current_app.extensions["note_board"]
    return found


def pin(text: str) -> Note:
    """Pin ``text`` as the current user's note."""
    if not text.strip():
        raise ConnectError(Code.INVALID_ARGUMENT, "a note needs some text")
    return board().add(text.strip(), g.user)


class Notes(NoteServiceSync):
    """The handlers: plain functions and generators, run in gunicorn's worker threads."""

    def add_note(self, request: AddNoteRequest, ctx: RequestContext) -> AddNoteResponse:
        note = pin(request.text)
        ctx.response_headers()["x-note-id"] = str(note.id)
        return AddNoteResponse(note=note)

    def list_notes(self, request: ListNotesRequest, ctx: RequestContext) -> ListNotesResponse:
        notes = [n for n in board().after(0) if not request.author or n.author == request.author]
        return ListNotesResponse(notes=notes)

    def tail_notes(self, request: TailNotesRequest, ctx: RequestContext) -> Iterator[Note]:
        notes = board().after(request.after_id)
        yield from notes[: request.limit] if request.limit else notes

    def import_notes(
        self, request: Iterator[AddNoteRequest], ctx: RequestContext
    ) -> ImportNotesResponse:
        notes = [pin(message.text) for message in request]
        return ImportNotesResponse(imported=len(notes), notes=notes)

    def review_notes(
        self, request: Iterator[ReviewRequest], ctx: RequestContext
    ) -> Iterator[ReviewResponse]:
        for message in request:
            note = board().get(message.note_id)
            text = note.text if note is not None else ""
            yield ReviewResponse(note_id=message.note_id, text=text, words=len(text.split()))


def create_app() -> Flask:
    """The Flask app: the notes blueprint under ``/rpc``, a health route, CORS."""
    app = Flask(__name__)
    app.extensions["note_board"] = NoteBoard()

    notes = ConnectBlueprint(Notes())

    @notes.before_request
    def authenticate() -> None:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        user = TOKENS.get(token)
        if user is None:
            abort(401, "send a valid bearer token")
        g.user = user

    app.register_blueprint(notes, url_prefix="/rpc")
    CORS(
        app,
        resources={
            "/rpc/*": cors_options(
                ["http://localhost:5173"], extra_headers=["authorization"], expose=["x-note-id"]
            )
        },
    )

    @app.get("/health")
    def health() -> ResponseReturnValue:
        return jsonify(ok=True, notes=len(board().after(0)))

    return app


app = create_app()
