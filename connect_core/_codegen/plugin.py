"""``protoc-gen-connect-python``: the protoc plugin that writes ``*_connect.py`` modules.

protoc (or ``buf generate``) runs the plugin with a serialized ``CodeGeneratorRequest`` on
stdin and reads a ``CodeGeneratorResponse`` from stdout. For every requested proto file that
declares a service the plugin writes ``<name>_connect.py`` next to protoc's
``<name>_pb2.py``::

    python -m grpc_tools.protoc -I proto --python_out=gen --pyi_out=gen \\
        --connect-python_out=gen proto/greet/v1/greet.proto

The plugin takes no parameters.
"""

from __future__ import annotations

import sys

from google.protobuf import descriptor_pb2
from google.protobuf.compiler import plugin_pb2

from ._generator import GeneratorError, TypeIndex, generate_file

__all__ = ["generate", "main"]


def _check_parameter(parameter: str) -> None:
    options = [option.strip() for option in parameter.split(",") if option.strip()]
    if options:
        raise GeneratorError(
            f"unknown parameter(s) {', '.join(options)}: protoc-gen-connect-python takes none"
        )


def generate(request: plugin_pb2.CodeGeneratorRequest) -> plugin_pb2.CodeGeneratorResponse:
    """Answer one plugin request."""
    response = plugin_pb2.CodeGeneratorResponse(
        supported_features=(
            plugin_pb2.CodeGeneratorResponse.FEATURE_PROTO3_OPTIONAL
            | plugin_pb2.CodeGeneratorResponse.FEATURE_SUPPORTS_EDITIONS
        ),
        # The plugin only reads services and methods, which no edition changes.
        minimum_edition=descriptor_pb2.EDITION_PROTO2,
        maximum_edition=descriptor_pb2.EDITION_2024,
    )
    try:
        _check_parameter(request.parameter)
        types = TypeIndex(request.proto_file)
        files = {file.name: file for file in request.proto_file}
        for name in request.file_to_generate:
            file = files.get(name)
            if file is None:
                raise GeneratorError(f"{name} is missing from the request's proto_file")
            if not file.service:
                continue
            output_name, content = generate_file(file, types)
            response.file.add(name=output_name, content=content)
    except GeneratorError as exc:
        del response.file[:]
        response.error = str(exc)
    return response


def main() -> int:
    """Run the plugin: request on stdin, response on stdout."""
    request = plugin_pb2.CodeGeneratorRequest.FromString(sys.stdin.buffer.read())
    sys.stdout.buffer.write(generate(request).SerializeToString())
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
