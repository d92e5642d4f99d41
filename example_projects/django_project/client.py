"""A client of the bookshelf: every RPC kind, Django auth, and Django's errors as Connect's.

python client.py http://127.0.0.1:8000
"""

from __future__ import annotations

import base64
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent / "gen")]

from shelf.v1 import shelf_pb2 as pb  # noqa: E402
from shelf.v1.shelf_connect import ShelfServiceClientSync  # noqa: E402

from connect_core import JSON, ConnectError, ResponseMetadata  # noqa: E402


def basic(user: str, password: str = "shelf") -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"authorization": f"Basic {token}"}


def main(url: str) -> None:
    base = f"{url}/rpc"
    with ShelfServiceClientSync(base) as client, ShelfServiceClientSync(base, codec=JSON) as js:
        # Unary, with Django auth: only a user with library.add_book may add.
        with ResponseMetadata() as meta:
            added = client.add_book(
                pb.AddBookRequest(title="Dune", author="Frank Herbert", year=1965),
                headers=basic("librarian"),
            )
        print(
            f"[unary]         added #{added.book.id} {added.book.title!r} by "
            f"{added.book.added_by} (x-book-id: {meta.headers()['x-book-id']})"
        )
        for who, headers in (("reader", basic("reader")), ("anonymous", {})):
            try:
                client.add_book(pb.AddBookRequest(title="X", author="Y"), headers=headers)
            except ConnectError as e:
                print(f"[unary]         {who} may not add: {e.code.value} ({e.message})")

        # Client streaming: one transaction for the whole import.
        def books() -> Iterator[pb.AddBookRequest]:
            yield pb.AddBookRequest(title="The Left Hand of Darkness", author="Ursula K. Le Guin")
            yield pb.AddBookRequest(title="The Dispossessed", author="Ursula K. Le Guin")
            yield pb.AddBookRequest(title="Dune Messiah", author="Frank Herbert")

        print(f"[client stream] imported {client.import_books(books()).imported} books")

        def bad_books() -> Iterator[pb.AddBookRequest]:
            yield pb.AddBookRequest(title="Kept?", author="Nobody")
            yield pb.AddBookRequest(title="", author="")

        try:
            js.import_books(bad_books())
        except ConnectError as e:
            left = len(js.list_books(pb.ListBooksRequest(author="Nobody")).books)
            print(
                f"[client stream] a bad import failed: {e.code.value} ({e.message}); "
                f"rolled back: {left} of its books kept"
            )

        # Unary GET (side-effect free), JSON codec.
        listed = js.list_books(pb.ListBooksRequest(author="le guin"), use_get=True)
        print(f"[unary GET]     by Le Guin: {', '.join(b.title for b in listed.books)}")

        # Server streaming, rows streamed from the database.
        found = [b.title for b in client.search_books(pb.SearchBooksRequest(title="dune"))]
        print(f"[server stream] titles with 'dune': {', '.join(found)}")

        # Bidirectional: each rating answered as it arrives.
        def ratings() -> Iterator[pb.RateBookRequest]:
            for stars in (5, 4, 3):
                yield pb.RateBookRequest(book_id=added.book.id, stars=stars)

        for reply in client.rate_books(ratings()):
            print(
                f"[bidi stream]   {reply.book.title}: {reply.book.rating:.2f} stars "
                f"after {reply.ratings} ratings"
            )
        try:
            list(client.rate_books(iter([pb.RateBookRequest(book_id=10**9, stars=5)])))
        except ConnectError as e:
            print(f"[bidi stream]   an unknown book: {e.code.value} (Http404 in the handler)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
