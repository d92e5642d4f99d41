"""Serving one Connect procedure for a Flask request: the adapter over the core seam.

Everything protocol-shaped (negotiation, limits, running the handler, framing, draining)
happens in :mod:`connect_core.server`; this module only hands it the Flask request's head and
body (read incrementally from ``request.stream``) and turns its replies into Flask responses.
A stream is a generator response wrapped in ``stream_with_context``, so ``g``,
``current_app`` and ``request`` stay available to the handler while it streams.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from flask import Request, Response, current_app, request, stream_with_context
from werkzeug.datastructures import Headers
from werkzeug.exceptions import ClientDisconnected

from connect_core import ConnectError
from connect_core.server import (
    Endpoint,
    Refusal,
    Reply,
    WSGIRequestBody,
    drain_sync,
    environ_headers,
    not_found,
    open_wsgi_stream,
    outside_refusal,
)

_BODY_KEY = "connect_flask.body"


class _FlaskStream:
    """``request.stream`` for the seam: a body that Flask reports cut short (werkzeug's
    ``ClientDisconnected``, when fewer bytes came than the ``Content-Length``) just ends, and
    the seam answers it ``invalid_argument`` with the count of bytes received."""

    __slots__ = ("_stream",)

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        try:
            data: bytes = self._stream.read(size)
        except ClientDisconnected:
            return b""
        return data


def request_body(flask_request: Request) -> WSGIRequestBody:
    """The request body of ``flask_request`` as the seam reads it: chunks as they arrive, one
    reader per request (so that what a view read is not drained again).

    The chunks come from ``request.stream`` (which applies ``MAX_CONTENT_LENGTH``); from
    what ``request.get_data()`` kept when a hook read the body first (``get_json()`` too, a
    signature check, say); or, when nothing touched the body and no limit applies, from
    ``wsgi.input`` within the ``Content-Length`` (the same bytes, without the wrapper).
    """
    environ = flask_request.environ
    body: WSGIRequestBody | None = environ.get(_BODY_KEY)
    if body is None:
        read_by_hook = flask_request.__dict__.get("_cached_data")
        if isinstance(read_by_hook, bytes):
            body = WSGIRequestBody(environ, io.BytesIO(read_by_hook))
        elif (
            "stream" not in flask_request.__dict__
            and environ.get("CONTENT_LENGTH")
            and flask_request.max_content_length is None
        ):
            body = WSGIRequestBody(environ)
        else:
            body = WSGIRequestBody(environ, _FlaskStream(flask_request.stream))
        environ[_BODY_KEY] = body
    return body


def _trusted_headers(pairs: Iterable[tuple[str, str]]) -> Headers:
    """``pairs`` as werkzeug ``Headers``, taken as they are: the protocol engine produced
    them, so werkzeug's per-header checks (a third of a small reply's cost) are skipped."""
    headers = Headers()
    if _HEADERS_HAVE_LIST:
        headers._list = list(pairs)
    else:  # a werkzeug that keeps its headers elsewhere
        headers.extend(pairs)
    return headers


_HEADERS_HAVE_LIST = isinstance(getattr(Headers(), "_list", None), list)


def buffered_response(reply: Reply) -> Response:
    """The Flask response of a complete reply, with its ``Content-Length``.

    Its body is final, already compressed as the client negotiated: ``direct_passthrough``
    hands it to the server as it is, and tells response-compressing extensions
    (Flask-Compress) to leave it alone. ``after_request`` hooks still see a normal response
    (``get_data()`` reads it, ``set_data()`` replaces it and its length).
    """
    response_class: type[Response] = current_app.response_class
    response = response_class(
        [reply.body], status=reply.status, headers=_trusted_headers(reply.headers_with_length())
    )
    response.direct_passthrough = True
    return response


def refusal_response(refusal: Refusal) -> Response:
    """Drain what the request body has left within the refusal's policy, then answer it."""
    try:
        body = request_body(request)
    except Exception:  # the body cannot be read at all (Flask's MAX_CONTENT_LENGTH)
        pass
    else:
        drain_sync(body, refusal.drain)
    return buffered_response(refusal)


class ConnectView:
    """The Flask view of one procedure: ``view()`` answers the current request."""

    __slots__ = ("__name__", "endpoint")

    def __init__(self, endpoint: Endpoint) -> None:
        """Serve ``endpoint`` (a procedure of a service, with its interceptors)."""
        self.endpoint = endpoint
        self.__name__ = endpoint.method.name

    def __call__(self) -> Response:
        """Start the call the current request carries, run it, and return the response (a
        stream's messages follow as its handler yields them)."""
        flask_request = request._get_current_object()  # type: ignore[attr-defined]
        environ = flask_request.environ
        target = self.endpoint.start(
            flask_request.method,
            environ_headers(environ),
            environ.get("QUERY_STRING", ""),
            flask_request,
        )
        if isinstance(target, Refusal):
            return refusal_response(target)
        call = target
        body = request_body(flask_request)
        if call.streams:
            stream = open_wsgi_stream(call, body)
            response_class: type[Response] = current_app.response_class
            response = response_class(
                stream_with_context(stream.chunks),
                status=stream.status,
                headers=_trusted_headers(stream.headers),
            )
            # Closing the response closes the stream (inside the request context) as the
            # server ends it; this also stops the handler of a stream that was never iterated.
            close = getattr(stream.chunks, "close", None)
            if close is not None:
                response.call_on_close(close)
            return response
        try:
            data = call.read_body_sync(body)
        except ConnectError as e:
            return refusal_response(call.error_reply(e))
        if self.endpoint.is_async:
            reply: Reply = current_app.ensure_sync(call.run_unary)(data)
        else:
            reply = call.run_unary_sync(data)
        return buffered_response(reply)

    def error_response(
        self, error: ConnectError, extra_headers: Iterable[tuple[str, str]] = ()
    ) -> Response:
        """The response refusing the current request with ``error`` (raised by a hook before
        the view ran, or by Flask itself), in the error format of the procedure and framing
        the request head asks for."""
        flask_request = request
        refusal = self.endpoint.refuse(
            error, flask_request.method, environ_headers(flask_request.environ), extra_headers
        )
        return refusal_response(refusal)


class UnknownProcedureView:
    """Answers calls to a procedure the service does not have: 404 ``unimplemented``."""

    __slots__ = ("__name__",)

    def __init__(self) -> None:
        """The view of every unknown name under the service's path."""
        self.__name__ = "unknown_procedure"

    def __call__(self, name: str) -> Response:
        """The 404 response, with the Connect JSON error body."""
        refusal = not_found(
            request.path, http_method=request.method, request_headers=request.headers
        )
        return refusal_response(refusal)

    def error_response(
        self, error: ConnectError, extra_headers: Iterable[tuple[str, str]] = ()
    ) -> Response:
        """A unary Connect error response (the procedure is unknown, so is its kind)."""
        refusal = outside_refusal(
            error, extra_headers, http_method=request.method, request_headers=request.headers
        )
        return refusal_response(refusal)
