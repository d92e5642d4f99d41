"""Tests of the protoc plugin ``protoc-gen-connect-python``.

Most tests share one corpus of small proto files, compiled once with ``grpc_tools.protoc``
(``--python_out``, ``--pyi_out`` and ``--connect-python_out``) into a temporary directory.
"""

from __future__ import annotations

import importlib
import inspect
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import descriptor_pb2
from google.protobuf.compiler import plugin_pb2

import connect_core
from connect_core import IdempotencyLevel, StreamType
from connect_core._codegen import _names
from connect_core._codegen.plugin import generate

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PLUGIN = BIN / "protoc-gen-connect-python"
RUFF = BIN / "ruff"
BUF = BIN / "buf"
MYPY = BIN / "mypy"

Loader = Callable[[str], Any]

CORPUS = {
    # No package; a proto3 optional field needs FEATURE_PROTO3_OPTIONAL.
    "nopkg.proto": """
        syntax = "proto3";

        message PingRequest {
          optional string text = 1;
        }
        message PingResponse {}

        // PingService lives outside any package.
        service PingService {
          rpc Ping(PingRequest) returns (PingResponse);
        }
    """,
    # Messages only: no _connect.py.
    "acme/common/v1/common.proto": """
        syntax = "proto3";
        package acme.common.v1;

        message Shared {
          string id = 1;
        }
    """,
    # Nested messages, every stream type.
    "acme/nested/v1/nested.proto": """
        syntax = "proto3";
        package acme.nested.v1;

        message Outer {
          message Inner {
            message Deeper {}
          }
        }

        service NestedService {
          rpc Unary(Outer.Inner) returns (Outer.Inner.Deeper);
          rpc Client(stream Outer) returns (Outer.Inner);
          rpc Server(Outer.Inner.Deeper) returns (stream Outer);
          rpc Bidi(stream Outer.Inner) returns (stream Outer.Inner.Deeper);
        }
    """,
    # Messages from another file and well-known types.
    "acme/cross/v1/cross.proto": """
        syntax = "proto3";
        package acme.cross.v1;

        import "acme/common/v1/common.proto";
        import "google/protobuf/empty.proto";
        import "google/protobuf/timestamp.proto";

        service CrossService {
          rpc Ping(google.protobuf.Empty) returns (google.protobuf.Empty) {
            option idempotency_level = IDEMPOTENT;
          }
          rpc Stamp(acme.common.v1.Shared) returns (google.protobuf.Timestamp) {
            option idempotency_level = NO_SIDE_EFFECTS;
          }
          rpc Own(Local) returns (Local);
        }

        message Local {}
    """,
    # Names that clash with Python keywords, the client base classes or the module's
    # own imports; comments that need escaping; deprecation.
    "acme/names/v1/names.proto": r'''
        syntax = "proto3";
        package acme.names.v1;

        message M {}

        // Lambda has awkward method names.
        //
        // It says """hello""" and C:\path\to\file, and ends with a quote: "
        service Lambda {
          // Import is a keyword.
          rpc Import(M) returns (M);
          rpc Class(M) returns (M);  // Class is a keyword too (trailing comment).
          rpc Close(M) returns (M);
          rpc Aclose(M) returns (M);
          rpc BaseUrl(M) returns (M);
          rpc GetUserInfo(M) returns (M);
          rpc HTTPRequest(M) returns (M);
          rpc _Hidden(M) returns (M);
          rpc Get(M) returns (M);
          rpc get(M) returns (M);
          rpc None(M) returns (M);
          rpc Old(M) returns (M) {
            option deprecated = true;
          }
        }

        // Connect clashes with the imported ConnectClient & co.
        service Connect {
          option deprecated = true;
          rpc Call(M) returns (M);
        }

        service Protocol {}
    ''',
    # A file name with dashes; protoc's Python plugin writes my_file_pb2.py.
    "acme/dash-dir/my-file.proto": """
        syntax = "proto3";
        package acme.dash;

        message Req {}

        service DashService {
          rpc Go(Req) returns (Req);
        }
    """,
    "acme/editions/v1/editions.proto": """
        edition = "2023";
        package acme.editions.v1;

        message Msg {
          string text = 1;
        }

        service EditionsService {
          rpc Echo(Msg) returns (Msg);
        }
    """,
    # Names long enough to need every line split the generator knows (see _layout.py).
    "acme/very_long_package_name_for_layout/v1beta1/layout.proto": """
        syntax = "proto3";
        package acme.very_long_package_name_for_layout.v1beta1;

        message A {}
        message FifteenCharName {}
        message MediumLengthMessageName {}
        message AnExtraordinarilyLongMessageNameThatForcesEveryPossibleSplit {}

        service AVeryLongServiceNameThatKeepsGoingAndGoingUntilItIsSeventyCharsLong {
          rpc U(A) returns (AnExtraordinarilyLongMessageNameThatForcesEveryPossibleSplit);
          rpc C(stream MediumLengthMessageName) returns (A);
          rpc S(A) returns (stream AnExtraordinarilyLongMessageNameThatForcesEveryPossibleSplit);
          rpc B(stream AnExtraordinarilyLongMessageNameThatForcesEveryPossibleSplit)
              returns (stream A);
          rpc P(A) returns (FifteenCharName);
          rpc ThisMethodNameIsAlsoQuiteLongSoThatTheUnimplementedMessageOverflows(A) returns (A);
        }
    """,
}

CONNECT_FILES = {
    "nopkg_connect.py",
    "acme/nested/v1/nested_connect.py",
    "acme/cross/v1/cross_connect.py",
    "acme/names/v1/names_connect.py",
    "acme/dash_dir/my_file_connect.py",
    "acme/editions/v1/editions_connect.py",
    "acme/very_long_package_name_for_layout/v1beta1/layout_connect.py",
}
LAYOUT_FILE = "acme/very_long_package_name_for_layout/v1beta1/layout_connect.py"


def write_protos(root: Path, protos: dict[str, str]) -> list[str]:
    for name, source in protos.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip())
    return sorted(protos)


def protoc(
    proto_root: Path, out: Path, files: list[str], *extra: str
) -> subprocess.CompletedProcess[str]:
    out.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "grpc_tools.protoc",
            f"-I{proto_root}",
            f"--plugin=protoc-gen-connect-python={PLUGIN}",
            f"--python_out={out}",
            f"--pyi_out={out}",
            f"--connect-python_out={out}",
            *extra,
            *files,
        ],
        cwd=proto_root,
        capture_output=True,
        text=True,
        check=False,
    )


def connect_files(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): p.read_text() for p in sorted(out.rglob("*_connect.py"))}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The proto corpus, compiled; returns the output directory."""
    root = tmp_path_factory.mktemp("corpus")
    files = write_protos(root / "proto", CORPUS)
    result = protoc(root / "proto", root / "out", files)
    assert result.returncode == 0, result.stderr
    return root / "out"


@pytest.fixture(scope="module")
def load(corpus: Path) -> Iterator[Loader]:
    """Import generated modules from the corpus; sys.path and sys.modules are restored."""
    before = set(sys.modules)
    sys.path.insert(0, str(corpus))

    yield importlib.import_module
    sys.path.remove(str(corpus))
    for name in set(sys.modules) - before:
        if name.startswith(("acme", "nopkg")):
            del sys.modules[name]


# -- the committed files -----------------------------------------------------------------


def test_committed_generated_files_are_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "generate.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_committed_echo_module_shape() -> None:
    source = (REPO / "tests/gen/echo/v1/echo_connect.py").read_text()
    assert source.startswith(
        "# Generated by protoc-gen-connect-python. DO NOT EDIT.\n# source: echo/v1/echo.proto\n"
    )
    for expected in (
        "import echo.v1.echo_pb2 as echo_dot_v1_dot_echo__pb2\n",
        "class EchoService(Protocol):\n",
        "class EchoServiceSync(Protocol):\n",
        "ECHO_SERVICE_INFO = ServiceInfo(\n",
        "class EchoServiceASGIApplication(ConnectASGIApplication):\n",
        "class EchoServiceWSGIApplication(ConnectWSGIApplication):\n",
        "class EchoServiceClient(ConnectClient):\n",
        "class EchoServiceClientSync(ConnectClientSync):\n",
        "            idempotency_level=IdempotencyLevel.NO_SIDE_EFFECTS,\n",
        "return await self._client_stream(ECHO_SERVICE_INFO.methods[2], request, **options)\n",
    ):
        assert expected in source


# -- output files ------------------------------------------------------------------------


def test_one_connect_module_per_file_with_services(corpus: Path) -> None:
    assert set(connect_files(corpus)) == CONNECT_FILES
    for name in CONNECT_FILES:
        # Right beside the module protoc's Python plugin wrote.
        assert (corpus / name.replace("_connect.py", "_pb2.py")).is_file()


def test_generated_code_is_ruff_clean(corpus: Path) -> None:
    config = ["--no-cache", "--config", str(REPO / "pyproject.toml")]
    files = [str(corpus / name) for name in sorted(CONNECT_FILES)]
    normal = [f for f in files if not f.endswith(LAYOUT_FILE)]
    for args in (
        ["check", *config, *normal],
        # Names this long cannot fit in 100 columns, but nothing else may be wrong.
        ["check", *config, "--extend-ignore=E501", str(corpus / LAYOUT_FILE)],
        ["format", "--check", "--diff", *config, *files],
    ):
        result = subprocess.run([str(RUFF), *args], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_long_lines_are_split(corpus: Path) -> None:
    """The layout corpus file exercises every split (ruff format checks them above)."""
    source = (corpus / LAYOUT_FILE).read_text()
    for fragment in (
        "\n    ) -> (\n",  # a return annotation in parentheses
        "\n    ) -> AsyncIterator[\n",  # a return annotation split at its bracket
        "\n        request: AsyncIterator[\n",  # a parameter split at its bracket
        "\n        | Iterable[",  # a union split before |
        "(\n    ConnectClientSync\n):\n",  # a class header
        "\n            Code.UNIMPLEMENTED,\n",  # call arguments one per line
        ".methods[\n                0\n            ],\n",  # a subscript split
    ):
        assert fragment in source


def test_buf_generate_matches_protoc(corpus: Path, tmp_path: Path) -> None:
    write_protos(tmp_path / "proto", CORPUS)
    (tmp_path / "buf.yaml").write_text("version: v2\nmodules:\n  - path: proto\n")
    (tmp_path / "buf.gen.yaml").write_text(
        "version: v2\nplugins:\n  - local: protoc-gen-connect-python\n    out: out\n"
    )
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "BUF_CACHE_DIR": str(tmp_path / "cache"),
    }
    result = subprocess.run(
        [str(BUF), "generate"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert connect_files(tmp_path / "out") == connect_files(corpus)


# -- the generated modules ---------------------------------------------------------------


def test_modules_import(load: Loader) -> None:
    for name in CONNECT_FILES:
        load(name.removesuffix(".py").replace("/", "."))


def test_no_package(load: Loader) -> None:
    module = load("nopkg_connect")
    pb2 = load("nopkg_pb2")
    info = module.PING_SERVICE_INFO
    assert info.name == "PingService"
    (method,) = info.methods
    assert method.procedure == "/PingService/Ping"
    assert (method.input, method.output) == (pb2.PingRequest, pb2.PingResponse)
    assert inspect.getdoc(module.PingService) == "PingService lives outside any package."


def test_nested_messages_and_stream_types(load: Loader) -> None:
    module = load("acme.nested.v1.nested_connect")
    pb2 = load("acme.nested.v1.nested_pb2")
    info = module.NESTED_SERVICE_INFO
    assert info.name == "acme.nested.v1.NestedService"
    got = [(m.name, m.python_name, m.input, m.output, m.stream_type) for m in info.methods]
    assert got == [
        ("Unary", "unary", pb2.Outer.Inner, pb2.Outer.Inner.Deeper, StreamType.UNARY),
        ("Client", "client", pb2.Outer, pb2.Outer.Inner, StreamType.CLIENT_STREAM),
        ("Server", "server", pb2.Outer.Inner.Deeper, pb2.Outer, StreamType.SERVER_STREAM),
        ("Bidi", "bidi", pb2.Outer.Inner, pb2.Outer.Inner.Deeper, StreamType.BIDI_STREAM),
    ]
    assert all(m.service_name == info.name for m in info.methods)
    assert all(m.idempotency_level is IdempotencyLevel.IDEMPOTENCY_UNKNOWN for m in info.methods)
    # Handlers: unary and client streams are coroutines, server streams async iterators.
    service = module.NestedService
    assert inspect.iscoroutinefunction(service.unary)
    assert inspect.iscoroutinefunction(service.client)
    assert not inspect.iscoroutinefunction(service.server)
    assert not inspect.iscoroutinefunction(service.bidi)
    for cls in (module.NestedServiceSync, module.NestedServiceClientSync):
        assert not any(
            inspect.iscoroutinefunction(getattr(cls, m.python_name)) for m in info.methods
        )
    assert issubclass(module.NestedServiceClient, connect_core.ConnectClient)
    assert issubclass(module.NestedServiceClientSync, connect_core.ConnectClientSync)
    assert issubclass(module.NestedServiceASGIApplication, connect_core.ConnectASGIApplication)
    assert issubclass(module.NestedServiceWSGIApplication, connect_core.ConnectWSGIApplication)


def test_default_handlers_raise_unimplemented(load: Loader) -> None:
    module = load("acme.nested.v1.nested_connect")
    pb2 = load("acme.nested.v1.nested_pb2")

    class Partial(module.NestedServiceSync):  # type: ignore[misc]
        pass

    with pytest.raises(connect_core.ConnectError) as caught:
        Partial().unary(pb2.Outer.Inner(), None)
    assert caught.value.code is connect_core.Code.UNIMPLEMENTED
    assert "acme.nested.v1.NestedService.Unary" in str(caught.value)


def test_cross_file_and_well_known_types(load: Loader, corpus: Path) -> None:
    from google.protobuf import empty_pb2, timestamp_pb2

    module = load("acme.cross.v1.cross_connect")
    common = load("acme.common.v1.common_pb2")
    local = load("acme.cross.v1.cross_pb2")
    ping, stamp, own = module.CROSS_SERVICE_INFO.methods
    assert (ping.input, ping.output) == (empty_pb2.Empty, empty_pb2.Empty)
    assert (stamp.input, stamp.output) == (common.Shared, timestamp_pb2.Timestamp)
    assert (own.input, own.output) == (local.Local, local.Local)
    assert ping.idempotency_level is IdempotencyLevel.IDEMPOTENT
    assert stamp.idempotency_level is IdempotencyLevel.NO_SIDE_EFFECTS
    source = (corpus / "acme/cross/v1/cross_connect.py").read_text()
    assert "import acme.common.v1.common_pb2 as acme_dot_common_dot_v1_dot_common__pb2\n" in source
    assert "import google.protobuf.empty_pb2 as google_dot_protobuf_dot_empty__pb2\n" in source
    # Only the stream helpers that are used are imported.
    assert "collections.abc" not in source


def test_clashing_method_names(load: Loader) -> None:
    module = load("acme.names.v1.names_connect")
    names = [(m.name, m.python_name) for m in module.LAMBDA_INFO.methods]
    assert names == [
        ("Import", "import_"),
        ("Class", "class_"),
        ("Close", "close_"),
        ("Aclose", "aclose_"),
        ("BaseUrl", "base_url_"),
        ("GetUserInfo", "get_user_info"),
        ("HTTPRequest", "http_request"),
        ("_Hidden", "_hidden_"),
        ("Get", "get"),
        ("get", "get_"),
        ("None", "none"),
        ("Old", "old"),
    ]
    for cls in (module.Lambda, module.LambdaSync, module.LambdaClient, module.LambdaClientSync):
        for _, python_name in names:
            assert python_name in vars(cls)
    # The client base classes keep their own methods.
    assert module.LambdaClientSync.close is connect_core.ConnectClientSync.close
    assert module.LambdaClient.aclose is connect_core.ConnectClient.aclose


def test_client_attributes_are_reserved() -> None:
    """Every public attribute of the client base classes is avoided by method names."""

    class Transport:
        pass

    public: set[str] = set()
    for base in (connect_core.ConnectClient, connect_core.ConnectClientSync):
        client = base("http://localhost", transport=Transport())  # type: ignore[arg-type]
        public |= {name for name in dir(client) if not name.startswith("_")}
    assert public <= _names.CLIENT_ATTRIBUTES


def test_clashing_service_names(load: Loader) -> None:
    module = load("acme.names.v1.names_connect")
    # "Connect" would define ConnectClient, ConnectASGIApplication, ... over the imports.
    assert module.CONNECT__INFO.name == "acme.names.v1.Connect"
    assert issubclass(module.Connect_Client, connect_core.ConnectClient)
    assert issubclass(module.Connect_ASGIApplication, connect_core.ConnectASGIApplication)
    assert module.ConnectClient is connect_core.ConnectClient
    # "Protocol" would shadow typing.Protocol; it has no methods.
    assert module.PROTOCOL__INFO.methods == ()
    assert module.Protocol_Client.__mro__[1] is connect_core.ConnectClient


def test_comments_become_docstrings(load: Loader) -> None:
    module = load("acme.names.v1.names_connect")
    service_doc = (
        "Lambda has awkward method names.\n"
        "\n"
        'It says """hello""" and C:\\path\\to\\file, and ends with a quote: "'
    )
    assert inspect.getdoc(module.Lambda) == service_doc
    assert inspect.getdoc(module.LambdaSync) == service_doc
    assert inspect.getdoc(module.LambdaClient) == (
        "Async client for ``acme.names.v1.Lambda``.\n\n" + service_doc
    )
    assert inspect.getdoc(module.Lambda.import_) == "Import is a keyword."
    assert inspect.getdoc(module.LambdaClient.class_) == (
        "Class is a keyword too (trailing comment)."
    )
    assert inspect.getdoc(module.LambdaClient.close_) == "Calls ``acme.names.v1.Lambda.Close``."
    assert inspect.getdoc(module.Lambda.close_) == "Handles ``acme.names.v1.Lambda.Close``."


def test_deprecation_is_documented(load: Loader) -> None:
    module = load("acme.names.v1.names_connect")
    assert ".. deprecated::" in inspect.getdoc(module.LambdaClient.old)
    assert ".. deprecated::" not in inspect.getdoc(module.LambdaClient.get)
    assert ".. deprecated::" in inspect.getdoc(module.Connect_)
    assert ".. deprecated::" in inspect.getdoc(module.Connect_ClientSync)


def test_dashes_in_file_names(load: Loader) -> None:
    module = load("acme.dash_dir.my_file_connect")
    pb2 = load("acme.dash_dir.my_file_pb2")
    assert module.DASH_SERVICE_INFO.methods[0].input is pb2.Req


def test_editions(load: Loader) -> None:
    module = load("acme.editions.v1.editions_connect")
    assert (
        module.EDITIONS_SERVICE_INFO.methods[0].procedure
        == "/acme.editions.v1.EditionsService/Echo"
    )


def test_generated_code_type_checks(corpus: Path, tmp_path: Path) -> None:
    usage = tmp_path / "usage.py"
    usage.write_text(
        textwrap.dedent(
            """
            from collections.abc import AsyncIterator, Iterator

            from connect_core import RequestContext
            from acme.nested.v1 import nested_connect, nested_pb2


            class Impl:
                async def unary(
                    self, request: nested_pb2.Outer.Inner, ctx: RequestContext
                ) -> nested_pb2.Outer.Inner.Deeper:
                    return nested_pb2.Outer.Inner.Deeper()

                async def client(
                    self, request: AsyncIterator[nested_pb2.Outer], ctx: RequestContext
                ) -> nested_pb2.Outer.Inner:
                    return nested_pb2.Outer.Inner()

                async def server(
                    self, request: nested_pb2.Outer.Inner.Deeper, ctx: RequestContext
                ) -> AsyncIterator[nested_pb2.Outer]:
                    yield nested_pb2.Outer()

                async def bidi(
                    self, request: AsyncIterator[nested_pb2.Outer.Inner], ctx: RequestContext
                ) -> AsyncIterator[nested_pb2.Outer.Inner.Deeper]:
                    async for _ in request:
                        yield nested_pb2.Outer.Inner.Deeper()


            app = nested_connect.NestedServiceASGIApplication(Impl())


            def call(client: nested_connect.NestedServiceClientSync) -> None:
                deeper: nested_pb2.Outer.Inner.Deeper = client.unary(nested_pb2.Outer.Inner())
                stream: Iterator[nested_pb2.Outer] = client.server(deeper)
                del stream
            """
        )
    )
    files = [str(corpus / name) for name in sorted(CONNECT_FILES)]
    result = subprocess.run(
        [
            str(MYPY),
            "--strict",
            "--explicit-package-bases",
            "--no-incremental",
            "--cache-dir",
            os.devnull,
            *files,
            str(usage),
        ],
        cwd=corpus,
        env={**os.environ, "MYPYPATH": str(corpus)},
        capture_output=True,
        text=True,
    )
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    # The runtime's ConnectClient._unary/_client_stream return Any, so the typed client
    # methods trip no-any-return until ServiceInfo.methods keeps each method's types.
    unexpected = [line for line in errors if not line.endswith("[no-any-return]")]
    assert not unexpected, result.stdout + result.stderr
    if errors:
        pytest.xfail(f"{len(errors)} no-any-return errors: the runtime returns Any")
    assert result.returncode == 0, result.stdout + result.stderr


# -- the plugin protocol -----------------------------------------------------------------


def _request(parameter: str = "") -> plugin_pb2.CodeGeneratorRequest:
    file = descriptor_pb2.FileDescriptorProto(name="x.proto", package="x", syntax="proto3")
    file.message_type.add(name="M")
    file.service.add(name="S").method.add(name="Do", input_type=".x.M", output_type=".x.M")
    return plugin_pb2.CodeGeneratorRequest(
        file_to_generate=["x.proto"], parameter=parameter, proto_file=[file]
    )


def test_response_declares_features() -> None:
    response = generate(_request())
    assert not response.error
    assert response.supported_features == (
        plugin_pb2.CodeGeneratorResponse.FEATURE_PROTO3_OPTIONAL
        | plugin_pb2.CodeGeneratorResponse.FEATURE_SUPPORTS_EDITIONS
    )
    assert response.minimum_edition == descriptor_pb2.EDITION_PROTO2
    assert response.maximum_edition == descriptor_pb2.EDITION_2024
    assert [f.name for f in response.file] == ["x_connect.py"]
    compile(response.file[0].content, "x_connect.py", "exec")


def test_unknown_parameter_is_an_error(tmp_path: Path) -> None:
    response = generate(_request("frobnicate=yes"))
    assert "unknown parameter(s) frobnicate=yes" in response.error
    assert not response.file
    files = write_protos(tmp_path / "proto", {"nopkg.proto": CORPUS["nopkg.proto"]})
    result = protoc(tmp_path / "proto", tmp_path / "out", files, "--connect-python_opt=bogus")
    assert result.returncode != 0
    assert "unknown parameter(s) bogus" in result.stderr


def test_unknown_message_type_is_an_error() -> None:
    request = _request()
    request.proto_file[0].service[0].method[0].input_type = ".x.Missing"
    assert generate(request).error == "unknown message type .x.Missing"


@pytest.mark.parametrize(
    ("proto", "python"),
    [
        ("GetUserInfo", "get_user_info"),
        ("HTTPRequest", "http_request"),
        ("GetHTTPResponse", "get_http_response"),
        ("getV2", "get_v2"),
        ("V2Get", "v2_get"),
        ("Get_User", "get_user"),
        ("ABC", "abc"),
        ("lower", "lower"),
    ],
)
def test_snake_case(proto: str, python: str) -> None:
    assert _names.snake_case(proto) == python


def test_module_alias() -> None:
    assert _names.module_alias("google.protobuf.empty_pb2") == "google_dot_protobuf_dot_empty__pb2"
    assert _names.pb2_module("my-dir/v1/my-file.proto") == "my_dir.v1.my_file_pb2"
    assert _names.module_path("my_dir.v1.my_file_connect") == "my_dir/v1/my_file_connect.py"
