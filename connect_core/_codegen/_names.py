"""Naming rules of the code generator: Python module names, aliases and identifiers."""

from __future__ import annotations

import keyword
import re

# The builtins of CPython 3.10 to 3.14. Spelled out rather than read from ``builtins`` so
# that the generated code does not depend on the Python version that runs the plugin.
_BUILTIN_NAMES = """
    ArithmeticError AssertionError AttributeError BaseException BaseExceptionGroup
    BlockingIOError BrokenPipeError BufferError BytesWarning ChildProcessError
    ConnectionAbortedError ConnectionError ConnectionRefusedError ConnectionResetError
    DeprecationWarning EOFError Ellipsis EncodingWarning EnvironmentError Exception
    ExceptionGroup False FileExistsError FileNotFoundError FloatingPointError FutureWarning
    GeneratorExit IOError ImportError ImportWarning IndentationError IndexError
    InterruptedError IsADirectoryError KeyError KeyboardInterrupt LookupError MemoryError
    ModuleNotFoundError NameError None NotADirectoryError NotImplemented NotImplementedError
    OSError OverflowError PendingDeprecationWarning PermissionError ProcessLookupError
    PythonFinalizationError RecursionError ReferenceError ResourceWarning RuntimeError
    RuntimeWarning StopAsyncIteration StopIteration SyntaxError SyntaxWarning SystemError
    SystemExit TabError TimeoutError True TypeError UnboundLocalError UnicodeDecodeError
    UnicodeEncodeError UnicodeError UnicodeTranslateError UnicodeWarning UserWarning
    ValueError Warning ZeroDivisionError abs aiter all anext any ascii bin bool breakpoint
    bytearray bytes callable chr classmethod compile complex copyright credits delattr dict
    dir divmod enumerate eval exec exit filter float format frozenset getattr globals
    hasattr hash help hex id input int isinstance issubclass iter len license list locals
    map max memoryview min next object oct open ord pow print property quit range repr
    reversed round set setattr slice sorted staticmethod str sum super tuple type vars zip
"""
BUILTINS = frozenset(_BUILTIN_NAMES.split())

# Hard keywords; soft keywords (``match``, ``case``, ``type``, ``_``) are valid identifiers.
KEYWORDS = frozenset(keyword.kwlist)

# Attributes of ``ConnectClient`` / ``ConnectClientSync`` that a generated client method
# must not override. Names starting with an underscore are avoided wholesale (see
# ``method_python_name``), so only the public ones are listed here.
CLIENT_ATTRIBUTES = frozenset({"aclose", "base_url", "close"})

_CAMEL_BOUNDARY = re.compile(
    r"""
    (?<=[a-z0-9])(?=[A-Z])        # fooBar -> foo_Bar, v2Get -> v2_Get
    | (?<=[A-Z])(?=[A-Z][a-z])    # HTTPRequest -> HTTP_Request
    """,
    re.VERBOSE,
)


def snake_case(name: str) -> str:
    """Convert a proto identifier such as ``GetHTTPResponse`` to ``get_http_response``."""
    return _CAMEL_BOUNDARY.sub("_", name).lower()


def upper_snake_case(name: str) -> str:
    """Convert a proto identifier such as ``EchoService`` to ``ECHO_SERVICE``."""
    return snake_case(name).upper()


def strip_proto(filename: str) -> str:
    """Drop the ``.proto`` (or ``.protodevel``) suffix of a proto file name."""
    for suffix in (".protodevel", ".proto"):
        if filename.endswith(suffix):
            return filename[: -len(suffix)]
    return filename


def module_base(filename: str) -> str:
    """The dotted Python module path of a proto file, without the ``_pb2`` suffix.

    This is the rule protoc's Python generator follows: ``my-pkg/v1/foo.proto`` becomes
    ``my_pkg.v1.foo`` (its messages live in ``my_pkg.v1.foo_pb2``).
    """
    return strip_proto(filename).replace("-", "_").replace("/", ".")


def pb2_module(filename: str) -> str:
    """The module protoc's Python generator writes for ``filename``."""
    return module_base(filename) + "_pb2"


def connect_module(filename: str) -> str:
    """The module this plugin writes for ``filename``."""
    return module_base(filename) + "_connect"


def module_path(module: str) -> str:
    """The file a dotted module name lives in, relative to the output directory."""
    return module.replace(".", "/") + ".py"


def module_alias(module: str) -> str:
    """The name a ``_pb2`` module is imported as, e.g. ``google_dot_protobuf_dot_empty__pb2``.

    Escaping ``_`` before turning dots into ``_dot_`` keeps distinct modules distinct.
    """
    return module.replace("_", "__").replace(".", "_dot_")


def method_python_name(proto_name: str, taken: set[str]) -> str:
    """The Python name of an RPC method: snake_case, never a keyword or a clashing name.

    Keywords, the client base classes' attributes and names with a leading underscore get
    a trailing ``_`` (``Import`` -> ``import_``, ``Close`` -> ``close_``). Builtins are left
    alone: as attributes they shadow nothing. ``taken`` holds the names already given to
    other methods of the service (and the module's import aliases, which annotations in
    the class body refer to); the result is added to it.
    """
    name = snake_case(proto_name)
    if name in KEYWORDS or name in CLIENT_ATTRIBUTES or name.startswith("_"):
        name += "_"
    while name in taken:
        name += "_"
    taken.add(name)
    return name
