"""``H2Transport`` and ``H2SyncTransport`` over TLS: ALPN ``h2`` against hypercorn with a
self-signed certificate.

The certificate is made for this test with the ``openssl`` command line; the client trusts
exactly that certificate, so the test also proves verification is on (an untrusting client
fails with ``unavailable``).
"""

from __future__ import annotations

import asyncio
import queue
import shutil
import ssl
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from echo.v1.echo_connect import EchoServiceClient, EchoServiceClientSync
from echo.v1.echo_pb2 import EchoRequest
from servers.run import TESTS_DIR, _accepts, _env, free_port

from client.helpers import arun
from connect_core import Code, ConnectError, H2SyncTransport, H2Transport

pytestmark = pytest.mark.skipif(
    shutil.which("openssl") is None, reason="the openssl command makes the test certificate"
)


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """hypercorn serving the echo ASGI app over TLS on 127.0.0.1; yields (url, cert file)."""
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    port = free_port()
    log = open(d / "hypercorn.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "hypercorn", "servers.apps:asgi_app",
            "--bind", f"127.0.0.1:{port}", "--certfile", str(cert), "--keyfile", str(key),
            "--log-level", "warning",
        ],
        cwd=str(TESTS_DIR), env=_env(), stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        for _ in range(300):
            if _accepts(port) or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert proc.poll() is None, (d / "hypercorn.log").read_text()
        yield f"https://127.0.0.1:{port}", cert
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


@arun
async def test_unary_and_full_duplex_bidi_over_tls(tls_server: tuple[str, Path]) -> None:
    url, cert = tls_server
    context = ssl.create_default_context(cafile=str(cert))
    async with H2Transport(ssl_context=context) as transport:
        client = EchoServiceClient(url, transport=transport)
        reply = await client.echo(EchoRequest(message="secure"))
        assert reply.message == "secure"

        replies: asyncio.Queue[str] = asyncio.Queue()

        async def requests() -> AsyncIterator[EchoRequest]:
            for i in range(3):
                yield EchoRequest(message=f"m{i}")
                assert await asyncio.wait_for(replies.get(), 5) == f"m{i}"

        got = []
        async for r in client.chat(requests()):
            got.append(r.message)
            replies.put_nowait(r.message)
        assert got == ["m0", "m1", "m2"]


@arun
async def test_untrusted_certificate_is_refused(tls_server: tuple[str, Path]) -> None:
    url, _ = tls_server
    async with H2Transport(ssl_context=ssl.create_default_context()) as transport:
        client = EchoServiceClient(url, transport=transport)
        with pytest.raises(ConnectError) as info:
            await client.echo(EchoRequest(message="x"))
    assert info.value.code is Code.UNAVAILABLE


def test_sync_unary_and_full_duplex_bidi_over_tls(tls_server: tuple[str, Path]) -> None:
    url, cert = tls_server
    context = ssl.create_default_context(cafile=str(cert))
    with H2SyncTransport(ssl_context=context) as transport:
        client = EchoServiceClientSync(url, transport=transport)
        assert client.echo(EchoRequest(message="secure")).message == "secure"

        replies: queue.Queue[str] = queue.Queue()

        def requests() -> Iterator[EchoRequest]:
            for i in range(3):
                yield EchoRequest(message=f"m{i}")
                assert replies.get(timeout=5) == f"m{i}"

        got = []
        for r in client.chat(requests()):
            got.append(r.message)
            replies.put(r.message)
        assert got == ["m0", "m1", "m2"]


def test_sync_untrusted_certificate_is_refused(tls_server: tuple[str, Path]) -> None:
    url, _ = tls_server
    with H2SyncTransport(ssl_context=ssl.create_default_context()) as transport:
        client = EchoServiceClientSync(url, transport=transport)
        with pytest.raises(ConnectError) as info:
            client.echo(EchoRequest(message="x"))
    assert info.value.code is Code.UNAVAILABLE
