"""Serving calls over WSGI: :func:`serve_wsgi`, and ``ConnectWSGIApplication`` on it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from typing_extensions import Unpack

from .._code import Code
from .._errors import ConnectError
from .._headers import HeaderList, Headers
from .._method import AnyServiceInfo
from ._body import body_ended_early, drain_sync
from ._call import Call
from ._endpoints import ServerOptions, Service
from ._replies import Refusal, Reply, StreamReplySync

StartResponse = Callable[..., Any]
WSGIEnviron = dict[str, Any]

_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    409: "Conflict",
    412: "Precondition Failed",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    499: "Client Closed Request",
    500: "Internal Server Error",
    501: "Not Implemented",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
_CHUNK = 65536


def status_line(status: int) -> str:
    """``"200 OK"`` and friends."""
    return f"{status} {_REASONS.get(status, 'Unknown')}"


_ENVIRON_KEYS: dict[str, str] = {"CONTENT_TYPE": "content-type", "CONTENT_LENGTH": "content-length"}
"""Environ keys seen so far (a bounded cache): ``HTTP_USER_AGENT`` -> ``user-agent``, and
``""`` for the keys that are not headers (``PATH_INFO``, ``wsgi.input``)."""


def environ_headers(environ: WSGIEnviron) -> Headers:
    """Collect the request headers of a WSGI environ (one value per name: WSGI servers join
    a repeated header's values with commas)."""
    known = _ENVIRON_KEYS.get
    first = {
        name: value
        for key, value in environ.items()
        if (name := known(key)) or (name is None and (name := _header_name(key)))
    }
    if not first.get("content-length", True):  # an empty CONTENT_LENGTH declares nothing
        del first["content-length"]
    return Headers.from_first_values(first)


def _header_name(key: str) -> str:
    """``HTTP_USER_AGENT`` -> ``user-agent`` (``""``: not a header), remembered while the
    cache is small."""
    name = key[5:].replace("_", "-").lower() if key[:5] == "HTTP_" else ""
    if len(_ENVIRON_KEYS) < 1024:
        _ENVIRON_KEYS[key] = name
    return name


def _unreadable(reason: str) -> Callable[[int], bytes]:
    """A ``read`` that raises ``ValueError(reason)``."""

    def read(size: int) -> bytes:
        raise ValueError(reason)

    return read


def _refused(error: ConnectError) -> Callable[[int], bytes]:
    """A ``read`` that raises ``error``."""

    def read(size: int) -> bytes:
        raise error

    return read


_NO_CHUNKED_INPUT = "WSGIServer/"
"""The ``SERVER_SOFTWARE`` of the standard library's ``wsgiref`` server, which Django's
``runserver`` runs on: it hands the application no chunked request body (Django's
development server gives an empty input), which streaming clients send."""

_NO_CHUNKED_ERROR = ConnectError(
    Code.UNIMPLEMENTED,
    "this server (the standard library's wsgiref, which Django's runserver runs on) cannot "
    "read a chunked request body, which client and bidi streams send: serve the app with "
    "gunicorn, uvicorn or granian to call those methods (unary calls and server streams "
    "work here)",
)


class WSGIRequestBody(Iterator[bytes]):
    """The request body's chunks from ``wsgi.input`` as they arrive; :attr:`done` tells that
    it was read to its end (or broke off), after which iterating ends at once.

    The body is ``Content-Length`` bytes, or else what the input holds to its end (a chunked
    body, or an HTTP/2 one behind servers such as pyvoy, which declare neither), except for a
    GET or HEAD without a chunked body: nothing. Raises ``invalid_argument`` when the body
    ends before its ``Content-Length``, or when the server reports it broken (gunicorn's
    ``NoMoreData`` for a truncated chunked body, a bad chunk size, a reset connection): the
    client sent a malformed body or went away, which is no handler's ``internal`` error.
    Under the standard library's ``wsgiref`` server (Django's ``runserver``), which drops
    chunked request bodies, reading one raises ``unimplemented`` naming servers that read
    them, rather than handing the handler an empty stream.
    """

    __slots__ = ("_declared", "_read", "_remaining", "done")

    def __init__(self, environ: WSGIEnviron, stream: Any = None) -> None:
        """Read the body of the request ``environ`` describes, from ``wsgi.input`` or from
        ``stream``: a framework's file-like wrapper around it (Flask's ``request.stream``,
        Django's ``request``), whose reads the framework may limit or account for."""
        if stream is None:
            stream = environ["wsgi.input"]
        self.done = False
        length = environ.get("CONTENT_LENGTH")
        if length:
            self._read: Callable[[int], bytes] = stream.read
            if not (length.isascii() and length.isdigit()):
                self._read = _unreadable(f"Content-Length {length!r} is not a number")
                length = "1"
            self._declared = self._remaining = int(length)
            self.done = self._remaining == 0
            return
        self._declared = self._remaining = -1  # to the end of the input
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if not chunked and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            self.done = True
        self._read = getattr(stream, "read1", None) or stream.read
        if chunked and environ.get("SERVER_SOFTWARE", "").startswith(_NO_CHUNKED_INPUT):
            self._read = _refused(_NO_CHUNKED_ERROR)

    def __next__(self) -> bytes:
        if self.done:
            raise StopIteration
        remaining = self._remaining
        try:
            chunk = self._read(_CHUNK if remaining < 0 or remaining > _CHUNK else remaining)
        except ConnectError:
            self.done = True
            raise
        except Exception as e:
            self.done = True
            raise ConnectError(
                Code.INVALID_ARGUMENT,
                f"the request body could not be read ({type(e).__name__}: {e}); the client "
                "sent a malformed body or went away",
            ) from e
        if not chunk:
            self.done = True
            if remaining > 0:
                raise body_ended_early(self._declared - remaining, self._declared)
            raise StopIteration
        if remaining > 0:
            remaining -= len(chunk)
            self._remaining = remaining if remaining > 0 else 0
            self.done = remaining <= 0
        return chunk


_SEND_TRAILERS = "wsgi.ext.http.send_trailers"


def wsgi_sends_trailers(environ: WSGIEnviron) -> bool:
    """True when HTTP response trailers reach the client of this request: the WSGI server
    offers pyvoy's ``wsgi.ext.http.send_trailers`` extension, the request came over HTTP/2
    (Envoy drops trailers on HTTP/1.1 responses), and the client said it takes them
    (``TE: trailers``, which every gRPC client sends). No other WSGI server sends any."""
    return (
        callable(environ.get(_SEND_TRAILERS))
        and environ.get("SERVER_PROTOCOL") == "HTTP/2"
        and "trailers" in environ.get("HTTP_TE", "").lower()
    )


def serve_wsgi(
    target: Call | Refusal, environ: WSGIEnviron, start_response: StartResponse
) -> Iterable[bytes]:
    """Serve one started call (or send one refusal) over WSGI: the response body to return
    from the WSGI application.

    Reads the request body from ``wsgi.input`` within the endpoint's limits, runs the sync
    handler, streams the reply as it is produced, and drains what the reply did not read. A
    reply's HTTP trailers go out through the server's trailers extension (see
    :func:`wsgi_sends_trailers`, which the call must have been started with).
    """
    body = WSGIRequestBody(environ)
    if isinstance(target, Refusal):
        drain_sync(body, target.drain)
        return respond(start_response, target, environ)
    call = target
    if call.streams:
        reply = open_wsgi_stream(call, body)
        start_response(status_line(reply.status), reply.headers)
        if call.needs_http_trailers:
            return _then_trailers(reply.chunks, reply.trailers, environ[_SEND_TRAILERS])
        return reply.chunks
    try:
        data = call.read_body_sync(body)
    except ConnectError as e:
        refusal = call.error_reply(e)
        drain_sync(body, refusal.drain)
        return respond(start_response, refusal, environ)
    return respond(start_response, call.run_unary_sync(data), environ)


def _then_trailers(
    chunks: Iterator[bytes], trailers: HeaderList, send: Callable[[HeaderList], None]
) -> Iterator[bytes]:
    """``chunks``, then ``trailers`` (filled once the chunks are exhausted) through the
    server's ``send`` callable."""
    try:
        yield from chunks
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    send(list(trailers))


def open_wsgi_stream(call: Call, body: Iterator[bytes]) -> StreamReplySync:
    """Start a streaming ``call`` over a WSGI request ``body`` (a :class:`WSGIRequestBody`,
    or any iterator of the body's chunks): run its sync handler to its first message and
    return the reply, whose chunks drain what the call left of the body once the stream ends
    (before its end when :attr:`Call.reads_body_before_end`).

    The step every WSGI adapter takes for a stream (:func:`serve_wsgi`, Flask, Django): send
    the reply's status and headers, then its chunks as they come, and close them when the
    client goes away (which stops the handler).
    """
    before_end = None
    if call.reads_body_before_end:
        policy = call.drain_policy

        def before_end() -> None:
            drain_sync(body, policy)

    reply = call.open_stream_sync(body, before_end)
    reply.chunks = _drained_after(reply.chunks, body, call)
    return reply


def _drained_after(chunks: Iterator[bytes], body: Iterator[bytes], call: Call) -> Iterator[bytes]:
    """Yield the reply's ``chunks``, then drain what the call left of the body."""
    try:
        yield from chunks
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    if not getattr(body, "done", False):
        drain_sync(body, call.drain_policy)


def respond(
    start_response: StartResponse, reply: Reply, environ: WSGIEnviron | None = None
) -> Iterable[bytes]:
    """Start a buffered reply and return its body; its HTTP trailers, when it has any, go
    out after it through the server's trailers extension (``environ``'s)."""
    start_response(status_line(reply.status), reply.headers_with_length())
    if reply.trailers and environ is not None and _SEND_TRAILERS in environ:
        return _then_trailers(iter((reply.body,)), reply.trailers, environ[_SEND_TRAILERS])
    return [reply.body]


class ConnectWSGIApplication:
    """A WSGI application serving every procedure of one service with sync handlers.

    The generated ``XServiceWSGIApplication`` classes subclass this; use those.
    """

    def __init__(
        self, service: object, info: AnyServiceInfo, **options: Unpack[ServerOptions]
    ) -> None:
        """Serve ``service`` (which implements ``info``) with ``options``."""
        self.service = service
        self.info = info
        self._service = Service(service, info, is_async=False, **options)
        self.path = self._service.path
        """The path prefix of every procedure, e.g. ``/greet.v1.GreetService/``."""

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        """Serve one WSGI request."""
        target = self._service.start(
            environ.get("REQUEST_METHOD", "GET"),
            environ.get("PATH_INFO", ""),
            environ_headers(environ),
            environ.get("QUERY_STRING", ""),
            http_trailers=wsgi_sends_trailers(environ),
        )
        return serve_wsgi(target, environ, start_response)
