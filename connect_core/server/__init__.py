"""The serving seam: what a framework adapter builds on.

Every way of serving a Connect service (the core ASGI and WSGI applications,
``connect_fastapi``, ``connect_django``, ``connect_flask``) takes the same steps through this
module, so the protocol, limits, drain and disconnect policies live in one place and an
adapter only translates between its framework's request and response objects and these
plain values. An adapter makes these calls, in order:

1. **Build once**, at start-up: ``service = Service(handlers, **options)`` finds the
   service's descriptor from its generated base class, tells async from sync handlers, and
   checks everything (missing or misnamed methods, interceptors of the other flavour) with a
   ``TypeError`` naming the fix.
2. **Start a call** from the request head: ``target = service.start(method, path, headers,
   query_string, request=framework_request)`` (or ``endpoint.start(...)`` when the framework
   routed to one procedure). The result is a :class:`Call`, or a :class:`Refusal`: a complete
   reply (404, 405, 415, a bad header) to send once the request body is drained with
   :func:`drain` / :func:`drain_sync` and its :attr:`Refusal.drain` policy.
3. **Run it**, as the call says: when :attr:`Call.streams` is false, read the body with
   ``await call.read_body(chunks)`` (or a :class:`BodyReader` fed by hand), then
   ``reply = await call.run_unary(body)`` for async handlers or ``call.run_unary_sync(body)``
   for sync ones, and send the :class:`Reply` (status, headers, body, HTTP trailers). When
   it is true, ``stream = await call.open_stream(chunks, before_end)`` (or
   ``call.open_stream_sync``) gives a :class:`StreamReply`: send its status and headers,
   then each of its chunks as it comes, then its trailers. A body that cannot be read
   becomes ``call.error_reply(error)``.
4. **Drain** what a reply did not read (:attr:`Call.drain_policy` before a reply,
   :attr:`Call.drain_after_end_policy` after the end of a stream), so that no client is
   reset under its reply.

Raw ASGI and WSGI servers need none of that by hand: :func:`serve_asgi` and
:func:`serve_wsgi` do steps 3 and 4 over ``receive``/``send`` and ``environ``/
``start_response``. A framework that sends a stream from an iterator of chunks takes the
stream step from :func:`open_wsgi_stream` (sync) or :func:`reply_chunks` (async, with
:func:`chunks_in_thread` for a sync handler under an event loop).

**Errors raised around a handler** (an HTTP status from FastAPI's ``HTTPException``,
Django's ``PermissionDenied`` or ``Http404``, Flask's ``abort``) become Connect errors through
one table, :data:`HTTP_STATUS_CODES` (:func:`error_for_status`), and are answered with
``endpoint.refuse(error, method, headers)`` before a call started or ``call.error_reply``
after. Raised inside a handler, they are translated by the adapter's
:data:`HTTPErrorTranslator`, passed as ``Service(..., http_errors=translate)``: an innermost
interceptor turns them into the Connect error of their status, with their headers, for every
stream kind. A request the framework refused before any procedure saw it (its own 404 for a
path outside every service, an ``abort`` in an app-wide hook) gets, when
:func:`speaks_connect` says it is a Connect call, :func:`status_refusal` (or
:func:`outside_refusal` for an error of its own) in the format of the protocol the request
head speaks, instead of the framework's error page.

**Client disconnects**: the chunk iterator an adapter hands over raises
:class:`ClientDisconnected` when its framework reports that the client went away. The call
then ends without sending anything more: an async stream's handler is cancelled (its
``finally`` blocks run), a sync stream's generator is closed at its next message (a thread
cannot be interrupted), and no status is invented for a client that cannot read it.

**Protocols**: each endpoint holds the server protocols, and each request goes to the first
that claims it by HTTP method and content type; the protocol decides the framing
(:attr:`Call.streams`), whether the response ends with HTTP trailers
(:attr:`Call.needs_http_trailers`) and how GET works. Whether the server sends HTTP
trailers is the adapter's to say when it starts a call (``http_trailers=``, from
:func:`asgi_sends_trailers` under ASGI, :func:`wsgi_sends_trailers` under WSGI): a
protocol that needs them is refused readably where they would be lost. Adapters never
branch on protocol or stream kind beyond what the call tells them.
"""

from ._asgi import ASGIRequestBody, asgi_sends_trailers, run_unary_asgi, serve_asgi
from ._async_chunks import ThreadedChunks, ToThread, chunks_in_thread, reply_chunks
from ._body import (
    DRAIN_IDLE_SECONDS,
    DRAIN_SECONDS,
    BodyReader,
    ClientDisconnected,
    DrainPolicy,
    drain,
    drain_sync,
)
from ._call import Call, procedure_of
from ._endpoints import Endpoint, ServerOptions, Service, server_options
from ._framework_errors import HTTPErrorTranslation, HTTPErrorTranslator
from ._outside import not_found, outside_refusal, speaks_connect, status_refusal
from ._replies import Refusal, Reply, StreamReply, StreamReplySync
from ._service_info import find_service_info, is_async_service
from ._status import HTTP_STATUS_CODES, code_for_status, error_for_status
from ._wsgi import (
    WSGIRequestBody,
    environ_headers,
    open_wsgi_stream,
    serve_wsgi,
    status_line,
    wsgi_sends_trailers,
)

__all__ = [
    "DRAIN_IDLE_SECONDS",
    "DRAIN_SECONDS",
    "HTTP_STATUS_CODES",
    "ASGIRequestBody",
    "BodyReader",
    "Call",
    "ClientDisconnected",
    "DrainPolicy",
    "Endpoint",
    "HTTPErrorTranslation",
    "HTTPErrorTranslator",
    "Refusal",
    "Reply",
    "ServerOptions",
    "Service",
    "StreamReply",
    "StreamReplySync",
    "ThreadedChunks",
    "ToThread",
    "WSGIRequestBody",
    "asgi_sends_trailers",
    "chunks_in_thread",
    "code_for_status",
    "drain",
    "drain_sync",
    "environ_headers",
    "error_for_status",
    "find_service_info",
    "is_async_service",
    "not_found",
    "open_wsgi_stream",
    "outside_refusal",
    "procedure_of",
    "reply_chunks",
    "run_unary_asgi",
    "serve_asgi",
    "serve_wsgi",
    "server_options",
    "speaks_connect",
    "status_line",
    "status_refusal",
    "wsgi_sends_trailers",
]
