"""The Connect service of the shelf: plain Django code (the ORM, ``request.user``,
permissions) behind each RPC.

A sync service: under WSGI (gunicorn) each call runs in a worker thread, under ASGI
(``bookshelf.asgi``) in the request's thread, so the ORM is used as in any Django view. Each
call is one transaction (``ATOMIC_REQUESTS``), rolled back when a handler raises.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count
from django.shortcuts import get_object_or_404
from shelf.v1 import shelf_pb2 as pb
from shelf.v1.shelf_connect import ShelfServiceSync

from connect_core import Code, ConnectError, RequestContext

from .models import Book, Rating


def _book(book: Book, rating: float | None = None) -> pb.Book:
    return pb.Book(
        id=book.pk,
        title=book.title,
        author=book.author,
        year=book.year,
        added_by=book.added_by.get_username() if book.added_by else "",
        rating=rating or 0.0,
    )


def _check(request: pb.AddBookRequest) -> None:
    if not request.title.strip() or not request.author.strip():
        raise ConnectError(Code.INVALID_ARGUMENT, "a book needs a title and an author")


class Shelf(ShelfServiceSync):
    """The shelf's handlers."""

    def add_book(self, request: pb.AddBookRequest, ctx: RequestContext) -> pb.AddBookResponse:
        """Django auth decides: the caller needs the ``library.add_book`` permission."""
        user = ctx.request.user
        if not user.is_authenticated:
            raise ConnectError(Code.UNAUTHENTICATED, "log in to add books")
        if not user.has_perm("library.add_book"):
            raise PermissionDenied(f"{user.get_username()} may not add books")
        _check(request)
        book = Book.objects.create(
            title=request.title, author=request.author, year=request.year, added_by=user
        )
        ctx.response_headers()["x-book-id"] = str(book.pk)
        return pb.AddBookResponse(book=_book(book))

    def list_books(self, request: pb.ListBooksRequest, ctx: RequestContext) -> pb.ListBooksResponse:
        books = Book.objects.select_related("added_by").annotate(mean=Avg("ratings__stars"))
        if request.author:
            books = books.filter(author__icontains=request.author)
        return pb.ListBooksResponse(books=[_book(b, b.mean) for b in books])

    def search_books(
        self, request: pb.SearchBooksRequest, ctx: RequestContext
    ) -> Iterator[pb.Book]:
        books = Book.objects.select_related("added_by").filter(title__icontains=request.title)
        for book in books.iterator(chunk_size=100):  # rows stream from the database too
            yield _book(book)

    def import_books(
        self, request: Iterator[pb.AddBookRequest], ctx: RequestContext
    ) -> pb.ImportBooksResponse:
        imported = 0
        for message in request:
            _check(message)  # one bad book rolls the whole import back
            Book.objects.create(title=message.title, author=message.author, year=message.year)
            imported += 1
        return pb.ImportBooksResponse(imported=imported)

    def rate_books(
        self, request: Iterator[pb.RateBookRequest], ctx: RequestContext
    ) -> Iterator[pb.RateBookResponse]:
        for message in request:
            if not 1 <= message.stars <= 5:
                raise ConnectError(Code.INVALID_ARGUMENT, "stars go from 1 to 5")
            book = get_object_or_404(Book, pk=message.book_id)  # Http404: not_found
            Rating.objects.create(book=book, stars=message.stars)
            stats = book.ratings.aggregate(mean=Avg("stars"), count=Count("id"))
            yield pb.RateBookResponse(book=_book(book, stats["mean"]), ratings=stats["count"])
