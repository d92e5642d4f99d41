"""Call every method of the notes service with the generated sync client.

Usage: ``python client.py http://127.0.0.1:8000`` (with ``gen`` on ``PYTHONPATH``).
"""

from __future__ import annotations

import sys

from notes.v1.notes_connect import NoteServiceClientSync
from notes.v1.notes_pb2 import AddNoteRequest, ListNotesRequest, ReviewRequest, TailNotesRequest

from connect_core import Code, ConnectError

TOKEN = "ada-token"


def main(base_url: str) -> None:
    url = base_url.rstrip("/") + "/rpc"
    with NoteServiceClientSync(url, headers={"authorization": f"Bearer {TOKEN}"}) as client:
        # Unary.
        for text in ("buy milk", "book the train"):
            reply = client.add_note(AddNoteRequest(text=text))
            print(f"[unary AddNote]          #{reply.note.id}: {reply.note.text}")

        # Client streaming.
        texts = ("call the plumber", "water the plants")
        imported = client.import_notes(AddNoteRequest(text=t) for t in texts)
        print(f"[client stream Import]   imported {imported.imported}")

        # Unary with GET (ListNotes has no side effects).
        listed = client.list_notes(ListNotesRequest(author="ada"), use_get=True)
        print(f"[unary GET ListNotes]    {len(listed.notes)} notes by ada")

        # Server streaming: each note as its own message.
        for note in client.tail_notes(TailNotesRequest(after_id=1, limit=2)):
            print(f"[server stream Tail]     #{note.id}: {note.text}")

        # Bidirectional, half duplex under WSGI: the answers follow the requests.
        for review in client.review_notes(ReviewRequest(note_id=i) for i in (1, 3, 99)):
            summary = f"{review.words} words" if review.text else "no such note"
            print(f"[bidi ReviewNotes]       #{review.note_id}: {summary}")

        # A Connect error from a handler.
        try:
            client.add_note(AddNoteRequest(text="   "))
        except ConnectError as e:
            print(f"[error]                  {e.code.value}: {e.message}")

    # The before_request hook refuses a bad token: abort(401) arrives as unauthenticated.
    with NoteServiceClientSync(url, headers={"authorization": "Bearer wrong"}) as intruder:
        try:
            intruder.list_notes(ListNotesRequest())
        except ConnectError as e:
            assert e.code is Code.UNAUTHENTICATED
            print(f"[refused]                {e.code.value}: {e.message}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
