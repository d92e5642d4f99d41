"""``ConnectBlueprint``: a Flask ``Blueprint`` with one URL rule per procedure of a service."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Blueprint, current_app, request
from flask.sansio.app import App
from flask.sansio.blueprints import BlueprintSetupState
from werkzeug.exceptions import HTTPException

from connect_core import AnyServiceInfo, Codec, Compression, ConnectError
from connect_core.server import Service, server_options

from ._async import check_async_service
from ._errors import http_error_headers, http_error_to_connect_error, translate_http_error
from ._serve import ConnectView, UnknownProcedureView

# Every verb but OPTIONS reaches a procedure's view, so that the protocol answers a wrong one
# (405 with ``Allow``) in Connect's format; OPTIONS stays Flask's own (automatic) answer, which
# CORS extensions turn into a preflight response. Flask adds HEAD to GET.
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


class ConnectBlueprint(Blueprint):
    """A Flask blueprint serving every procedure of one Connect service.

    Example::

        from connect_flask import ConnectBlueprint

        app.register_blueprint(ConnectBlueprint(GreeterSync()), url_prefix="/rpc")

    Each procedure is a real URL rule (``POST /rpc/greet.v1.GreetService/Greet``), so the app
    keeps working around it: ``before_request`` hooks run first and may refuse the call
    (``abort(401)`` arrives as ``unauthenticated``, ``abort(403)`` as ``permission_denied``,
    through :data:`connect_core.server.HTTP_STATUS_CODES`; a hook may also raise a
    :class:`~connect_core.ConnectError`), ``g`` is shared with the handler, and
    ``ctx.request`` is the Flask request; ``abort()`` inside a handler is the Connect error of
    its status too, with its headers, for every stream kind. An unknown name under the
    service's path gets Connect's 404 ``unimplemented``.
    """

    def __init__(
        self,
        service: object,
        *,
        info: AnyServiceInfo | None = None,
        interceptors: Iterable[object] = (),
        read_max_bytes: int | None = None,
        compressions: Iterable[Compression] | None = None,
        compress_min_bytes: int | None = None,
        codecs: Iterable[Codec] | None = None,
        require_protocol_header: bool = False,
        name: str | None = None,
        url_prefix: str | None = None,
        subdomain: str | None = None,
    ) -> None:
        """Serve ``service``.

        Args:
            service: The handlers: an instance of a subclass of the generated
                ``XServiceSync`` (run in the server's worker thread), or of ``XService``
                when every method is unary (run by Flask's async support, which needs
                ``connect-flask[async]``).
            info: The service descriptor (``X_SERVICE_INFO`` from the generated module); found
                from the service's base classes when omitted.
            interceptors: Server interceptors, outermost first (async ones for an async
                service, sync ones for a sync service).
            read_max_bytes: Largest request message accepted (default 4 MiB; <= 0: no limit).
            compressions: Compressions offered (default gzip, br and zstd when installed).
            compress_min_bytes: Smallest response message worth compressing (default 1 KiB).
            codecs: Codecs served (default binary Protobuf and JSON).
            require_protocol_header: Refuse Connect requests without
                ``Connect-Protocol-Version``.
            name: The blueprint's name (default ``connect_`` and the service name with
                underscores, e.g. ``connect_greet_v1_GreetService``): give another to serve
                the same service twice, under two prefixes.
            url_prefix: Prepended to every procedure path (``register_blueprint`` can set
                it too).
            subdomain: The subdomain the rules match, as for any blueprint.

        Raises:
            TypeError: The service misses a method, misnames one, mixes flavours, has
                interceptors of the other flavour, or is async with streaming methods.
        """
        options = server_options(
            interceptors=interceptors,
            read_max_bytes=read_max_bytes,
            compressions=compressions,
            compress_min_bytes=compress_min_bytes,
            codecs=codecs,
            require_protocol_header=require_protocol_header,
        )
        served = Service(service, info, http_errors=translate_http_error, **options)
        if served.is_async:
            check_async_service(served, service)
        self.service = service
        """The object whose methods handle the calls."""
        self.info = served.info
        """The descriptor of the service."""
        self.is_async = served.is_async
        """True when the handlers are ``async def`` (unary only, run by Flask's async
        support)."""
        super().__init__(
            name or "connect_" + served.info.name.replace(".", "_"),
            __name__,
            url_prefix=url_prefix,
            subdomain=subdomain,
        )
        self._paths: list[str] = []
        for method in served.info.methods:
            path = f"/{served.info.name}/{method.name}"
            self._paths.append(path)
            self.add_url_rule(
                path,
                endpoint=method.name,
                view_func=ConnectView(served.endpoints[method.procedure]),
                methods=_METHODS,
            )
        self.add_url_rule(
            f"/{served.info.name}/<path:name>",
            endpoint="unknown_procedure",
            view_func=UnknownProcedureView(),
            methods=_METHODS,
        )
        self.register_error_handler(HTTPException, _on_http_exception)
        self.register_error_handler(ConnectError, _on_connect_error)

    def register(self, app: App, options: dict[str, Any]) -> None:
        """Register on ``app`` (``app.register_blueprint``), refusing a mount whose paths an
        earlier Connect blueprint or another rule of the app already serves."""
        state = self.make_setup_state(app, options)
        _check_clashes(app, self, state)
        super().register(app, options)

    def __repr__(self) -> str:
        return f"ConnectBlueprint({self.info.name}, name={self.name!r})"


def _full_path(state: BlueprintSetupState, rule: str) -> str:
    prefix = state.url_prefix
    if prefix:
        return "/".join((prefix.rstrip("/"), rule.lstrip("/"))) if rule else prefix
    return rule


def _check_clashes(app: App, blueprint: ConnectBlueprint, state: BlueprintSetupState) -> None:
    wanted = {_full_path(state, path): path for path in blueprint._paths}
    clashes = []
    for rule in app.url_map.iter_rules():
        if rule.rule in wanted and (state.subdomain or None) == (rule.subdomain or None):
            view = app.view_functions.get(rule.endpoint)
            other = (
                f"the Connect blueprint {rule.endpoint.rpartition('.')[0]!r}"
                if isinstance(view, ConnectView)
                else f"the rule {rule.endpoint!r}"
            )
            clashes.append(f"{rule.rule} is served by {other} already")
    if clashes:
        raise RuntimeError(
            f"connect_flask: cannot register {blueprint!r}: "
            + "; ".join(sorted(set(clashes)))
            + ". Register each service once per URL prefix (a second mount needs its own "
            "url_prefix and name=), and keep other routes off Connect paths."
        )


def _current_view() -> ConnectView | UnknownProcedureView | None:
    rule = request.url_rule
    if rule is None or rule.endpoint is None:
        return None
    view = current_app.view_functions.get(rule.endpoint)
    return view if isinstance(view, ConnectView | UnknownProcedureView) else None


def _on_http_exception(exc: HTTPException) -> Any:
    """Answer an ``HTTPException`` raised around a Connect view (``abort`` in a hook, Flask's
    ``MAX_CONTENT_LENGTH``) as the Connect error of its status."""
    view = _current_view()
    if view is None:
        return exc
    error = http_error_to_connect_error(exc)
    assert error is not None
    return view.error_response(error, http_error_headers(exc))


def _on_connect_error(error: ConnectError) -> Any:
    """Answer a ``ConnectError`` raised by a hook around a Connect view, as it is."""
    view = _current_view()
    if view is None:
        raise error
    return view.error_response(error)
