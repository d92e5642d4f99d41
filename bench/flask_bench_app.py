"""The apps ``flask_bench.py`` loads: one Flask app and the core WSGI app.

Run with ``bench/gen`` on ``sys.path``. ``app`` (Flask) serves:

* ``/rpc/bench.v1.BenchService/Unary``: the echo through ``connect_flask.ConnectBlueprint``
  (Connect, ``application/proto`` or ``application/json``);
* ``/plain/unary``: the same echo as a plain Flask JSON route (``request.get_json()``, a
  check of the field, ``jsonify``), as Flask users write it;
* ``/floor``: a route returning fixed bytes without reading the body: what Flask itself
  costs per request, the fastest any route of the app can be (for reference).

``core`` is ``BenchServiceWSGIApplication``: connect_core's own WSGI application.
"""

from __future__ import annotations

from collections.abc import Iterator

from bench.v1.bench_connect import BenchServiceSync, BenchServiceWSGIApplication
from bench.v1.bench_pb2 import Payload, StreamRequest
from connect_flask import ConnectBlueprint
from flask import Flask, Response, abort, jsonify, request

from connect_core import RequestContext


class Bench(BenchServiceSync):
    """Echo."""

    def unary(self, request: Payload, ctx: RequestContext) -> Payload:
        return request

    def stream(self, request: StreamRequest, ctx: RequestContext) -> Iterator[Payload]:
        for _ in range(request.count):
            yield Payload(data=b"x" * request.size)


app = Flask(__name__)
app.register_blueprint(ConnectBlueprint(Bench()), url_prefix="/rpc")

_FIXED = b'{"data":"' + b"x" * 132 + b'"}'


@app.post("/plain/unary")
def plain_unary() -> Response:
    """The echo as Flask users write it."""
    body = request.get_json()
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, str):
        abort(400, "data must be a base64 string")
    return jsonify(data=data)


@app.post("/floor")
def floor() -> Response:
    """Fixed bytes, the body left unread: Flask's own cost per request."""
    return Response(_FIXED, content_type="application/json")


core = BenchServiceWSGIApplication(Bench())
