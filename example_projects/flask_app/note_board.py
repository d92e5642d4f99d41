"""The board the notes are pinned on: in memory, shared by the threads of one process."""

from __future__ import annotations

import threading

from notes.v1.notes_pb2 import Note


class NoteBoard:
    """Notes in the order they were pinned (a real app would use its database)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._notes: list[Note] = []

    def add(self, text: str, author: str) -> Note:
        """Pin a note and return it with its id."""
        with self._lock:
            note = Note(id=len(self._notes) + 1, text=text, author=author)
            self._notes.append(note)
            return note

    def get(self, note_id: int) -> Note | None:
        """The note with ``note_id``, if there is one."""
        with self._lock:
            return self._notes[note_id - 1] if 0 < note_id <= len(self._notes) else None

    def after(self, note_id: int) -> list[Note]:
        """The notes pinned after ``note_id``, oldest first."""
        with self._lock:
            return self._notes[max(note_id, 0) :]
