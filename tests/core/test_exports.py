"""The public API: every exported name exists, is documented, and nothing public is missed."""

from __future__ import annotations

import importlib
import inspect

import pytest


@pytest.mark.parametrize("package", ["connect_core", "connect_fastapi"])
def test_exports_exist_and_are_documented(package: str) -> None:
    module = importlib.import_module(package)
    assert module.__all__, package
    assert len(set(module.__all__)) == len(module.__all__), "duplicate names in __all__"
    for name in module.__all__:
        obj = getattr(module, name)  # raises when an export is missing
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), f"{package}.{name} has no docstring"


@pytest.mark.parametrize("package", ["connect_core", "connect_fastapi"])
def test_public_classes_of_private_modules_are_exported(package: str) -> None:
    """A public class defined in the package's private modules is reachable from the top."""
    module = importlib.import_module(package)
    exported = {id(getattr(module, n)) for n in module.__all__}
    missing = []
    for sub in _private_submodules(module):
        for name, obj in vars(sub).items():
            if (
                inspect.isclass(obj)
                and not name.startswith("_")
                and obj.__module__ == sub.__name__
                and name in _API_CLASS_NAMES.get(package, ())
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
}
