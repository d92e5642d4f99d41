"""The public API: every exported name exists, is documented, and nothing public is missed."""

from __future__ import annotations

import importlib
import inspect

import pytest

PACKAGES = ["connect_core", "connect_fastapi", "connect_flask", "connect_django"]


@pytest.mark.parametrize("package", PACKAGES)
def test_exports_exist_and_are_documented(package: str) -> None:
    module = importlib.import_module(package)
    assert module.__all__, package
    assert len(set(module.__all__)) == len(module.__all__), "duplicate names in __all__"
    for name in module.__all__:
        obj = getattr(module, name)  # raises when an export is missing
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), f"{package}.{name} has no docstring"


@pytest.mark.parametrize("package", PACKAGES)
def test_public_classes_of_private_modules_are_exported(package: str) -> None:
    """A public class defined in the package's private modules is reachable from the top."""
    module = importlib.import_module(package)
    exported = {id(getattr(module, n)) for n in module.__all__}
    missing = []
    for sub in _private_submodules(module):
        for name, obj in vars(sub).items():
            if (
                name in _API_CLASS_NAMES.get(package, ())  # first: lazy objects (Django's
                and inspect.isclass(obj)  # settings) must not be touched
                and obj.__module__ == sub.__name__
                and id(obj) not in exported
            ):
                missing.append(f"{sub.__name__}.{name}")
    assert not missing, missing


def _private_submodules(module: object) -> list[object]:
    import pkgutil

    path = getattr(module, "__path__", [])
    name = getattr(module, "__name__", "")
    return [
        importlib.import_module(f"{name}.{info.name}")
        for info in pkgutil.iter_modules(path)
        if info.name.startswith("_") and info.name != "_codegen"
    ]


# Classes users build on or pass in: a regression guard for the exports above.
_API_CLASS_NAMES = {
    "connect_core": {
        "ConnectError",
        "Code",
        "Headers",
        "RequestContext",
        "ConnectASGIApplication",
        "ConnectWSGIApplication",
        "ConnectClient",
        "ConnectClientSync",
        "ResponseMetadata",
        "MethodInfo",
        "ServiceInfo",
        "GzipCompression",
        "BrotliCompression",
        "ZstdCompression",
        "ProtoCodec",
        "JSONCodec",
        "HttpxAsyncTransport",
        "HttpxSyncTransport",
        "HttptoolsAsyncTransport",
        "HttptoolsSyncTransport",
        "H2SyncTransport",
        "H2Transport",
        "ASGITransport",
        "WSGITransport",
    },
    "connect_fastapi": {"ConnectRouter"},
    "connect_flask": {"ConnectBlueprint", "Connect"},
    "connect_django": {"MountedProcedure", "ConnectErrorPagesMiddleware"},
}


# -- the three integrations have one shape -------------------------------------------------

SHARED = {"cors", "http_error_to_connect_error", "speaks_connect"}
"""What every integration exports under the same name (``cors`` stands for its CORS preset,
named after its CORS library's idiom: ``cors_options`` for Starlette's middleware and
Flask-CORS, ``cors_settings`` for django-cors-headers' settings)."""

SURFACE = {
    "connect_fastapi": {
        "ConnectRouter",
        "connect_exception_handler",
        "cors_options",
        "http_error_to_connect_error",
        "speaks_connect",
    },
    "connect_flask": {
        "ConnectBlueprint",
        "Connect",
        "cors_options",
        "http_error_to_connect_error",
        "speaks_connect",
    },
    "connect_django": {
        "connect_urls",
        "ConnectErrorPagesMiddleware",
        "cors_settings",
        "http_error_to_connect_error",
        "speaks_connect",
        "mounted_procedures",
        "MountedProcedure",
    },
}
"""The whole public surface of each integration: the mount, the opt-in that answers Connect
calls outside every procedure, the shared helpers, and Django's procedure listing (which
backs ``manage.py connect_procedures``)."""

MOUNTS = {
    "connect_fastapi": "ConnectRouter",
    "connect_flask": "ConnectBlueprint",
    "connect_django": "connect_urls",
}
SERVER_OPTIONS = [
    "info",
    "interceptors",
    "read_max_bytes",
    "compressions",
    "compress_min_bytes",
    "codecs",
    "require_protocol_header",
]


@pytest.mark.parametrize("package", sorted(SURFACE))
def test_each_integration_exports_the_same_shape(package: str) -> None:
    module = importlib.import_module(package)
    assert set(module.__all__) == SURFACE[package]
    names = {n if not n.startswith("cors_") else "cors" for n in module.__all__}
    assert names >= SHARED


@pytest.mark.parametrize("package", sorted(MOUNTS))
def test_each_mount_takes_the_same_options_in_the_same_order(package: str) -> None:
    """``service`` positional, then keyword-only: ``info`` and the six server options under
    the same names, in the same order, with the same defaults; the framework's own options
    after them."""
    module = importlib.import_module(package)
    parameters = list(inspect.signature(getattr(module, MOUNTS[package])).parameters.values())
    assert parameters[0].name == "service"
    assert parameters[0].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    options = parameters[1 : 1 + len(SERVER_OPTIONS)]
    assert [p.name for p in options] == SERVER_OPTIONS
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in options)
    defaults = [p.default for p in options]
    assert defaults == [None, (), None, None, None, None, False]
