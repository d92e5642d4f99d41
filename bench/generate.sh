#!/usr/bin/env bash
# Regenerate the benchmark's code: bench/gen (our plugin) and bench/gen_official (protobuf
# only; the official server module bench_connect.py there is hand-written, see its header).
set -euo pipefail
cd "$(dirname "$0")/.."
protoc=(uv run --frozen python -m grpc_tools.protoc)
"${protoc[@]}" -I bench/proto --python_out=bench/gen --pyi_out=bench/gen \
    --connect-python_out=bench/gen \
    --plugin=protoc-gen-connect-python=.venv/bin/protoc-gen-connect-python \
    bench/proto/bench/v1/bench.proto
# Same messages under another package, so both runtimes' modules never clash.
sed -e 's/^package bench\.v1;/package benchofficial.v1;/' bench/proto/bench/v1/bench.proto \
    > bench/proto_official/benchofficial/v1/bench.proto
"${protoc[@]}" -I bench/proto_official --python_out=bench/gen_official \
    --pyi_out=bench/gen_official bench/proto_official/benchofficial/v1/bench.proto
