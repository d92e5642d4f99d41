"""The transports the client program can run on, built per TLS setup and HTTP version.

One transport instance serves every call with the same server certificate, client credentials
and HTTP version (its connection pool is shared by those calls, as in an application); each
combination gets its own. Which HTTP versions a transport speaks is stated here and in its
``conformance/configs/client-MODE-T.yaml``.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
from typing import Any, cast

from connect_core import (
    AiohttpTransport,
    AsyncTransport,
    H2SyncTransport,
    H2Transport,
    HttpClientTransport,
    HttptoolsAsyncTransport,
    HttptoolsSyncTransport,
    HttpxAsyncTransport,
    HttpxSyncTransport,
    SyncTransport,
)

from ._client_request import CallPlan, UnsupportedRequest, ssl_context

ASYNC_TRANSPORTS = ("httpx", "httptools", "h2", "aiohttp")
SYNC_TRANSPORTS = ("httpx", "httptools", "h2", "http-client")

# HTTP/2 only: h2 (prior knowledge over cleartext, ALPN h2 over TLS). HTTP/1.1 only: the
# rest but httpx, which speaks both.
_HTTP1 = frozenset(("httpx", "httptools", "aiohttp", "http-client"))
_HTTP2 = frozenset(("httpx", "h2"))

_Key = tuple[Any, bool]


def _check(name: str, plan: CallPlan) -> ssl.SSLContext | None:
    if plan.http2 and name not in _HTTP2:
        raise UnsupportedRequest(f"the {name} transport does not speak HTTP/2")
    if not plan.http2 and name not in _HTTP1:
        raise UnsupportedRequest(f"the {name} transport does not speak HTTP/1.1")
    if plan.tls is None:
        return None
    return ssl_context(plan.tls, f"{name}-{'h2' if plan.http2 else 'h1'}")


def _httpx_options(context: ssl.SSLContext | None, http2: bool) -> dict[str, Any]:
    """The options of the httpx clients made here, async and sync alike."""
    import httpx

    return {
        "timeout": None,
        "verify": context if context is not None else True,
        "http1": not http2,
        "http2": http2,
        "limits": httpx.Limits(max_connections=None, max_keepalive_connections=64),
    }


class AsyncTransports:
    """Async transports by TLS setup and HTTP version; create and use on one event loop."""

    def __init__(self, name: str) -> None:
        """Build ``name`` transports (one of :data:`ASYNC_TRANSPORTS`)."""
        if name not in ASYNC_TRANSPORTS:
            raise ValueError(f"no async transport {name!r}; choose from {ASYNC_TRANSPORTS}")
        self.name = name
        self._made: dict[_Key, AsyncTransport] = {}
        self._clients: list[Any] = []  # the httpx clients and aiohttp sessions made here

    def get(self, plan: CallPlan) -> AsyncTransport:
        """The transport for ``plan``."""
        context = _check(self.name, plan)
        key = (plan.tls, plan.http2)
        found = self._made.get(key)
        if found is None:
            found = self._made[key] = self._new(context, plan.http2)
        return found

    def _new(self, context: ssl.SSLContext | None, http2: bool) -> AsyncTransport:
        name = self.name
        if name == "httpx":
            import httpx

            client = httpx.AsyncClient(**_httpx_options(context, http2))
            self._clients.append(client)
            return HttpxAsyncTransport(client)
        if name == "httptools":
            return HttptoolsAsyncTransport(ssl_context=context)
        if name == "h2":
            return H2Transport(ssl_context=context)
        import aiohttp

        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0, ssl=context if context is not None else True),
            timeout=aiohttp.ClientTimeout(total=None),
            auto_decompress=False,
        )
        self._clients.append(session)
        return AiohttpTransport(session=session)

    async def aclose(self) -> None:
        """Close every transport (and the HTTP clients made for them)."""
        for transport in self._made.values():
            with contextlib.suppress(Exception):
                await transport.aclose()
        for client in self._clients:
            with contextlib.suppress(Exception):
                await client.aclose() if hasattr(client, "aclose") else await client.close()
        self._made.clear()
        self._clients.clear()
        await asyncio.sleep(0)


class SyncTransports:
    """Sync transports by TLS setup and HTTP version; thread-safe."""

    def __init__(self, name: str) -> None:
        """Build ``name`` transports (one of :data:`SYNC_TRANSPORTS`)."""
        if name not in SYNC_TRANSPORTS:
            raise ValueError(f"no sync transport {name!r}; choose from {SYNC_TRANSPORTS}")
        self.name = name
        self._made: dict[_Key, SyncTransport] = {}
        self._clients: list[Any] = []  # the httpx clients made here
        self._lock = threading.Lock()

    def get(self, plan: CallPlan) -> SyncTransport:
        """The transport for ``plan``."""
        context = _check(self.name, plan)
        key = (plan.tls, plan.http2)
        with self._lock:
            found = self._made.get(key)
            if found is None:
                found = self._made[key] = self._new(context, plan.http2)
            return found

    def _new(self, context: ssl.SSLContext | None, http2: bool) -> SyncTransport:
        name = self.name
        if name == "httpx":
            import httpx

            client = httpx.Client(**_httpx_options(context, http2))
            self._clients.append(client)
            return HttpxSyncTransport(client)
        if name == "httptools":
            return HttptoolsSyncTransport(ssl_context=context)
        if name == "h2":
            # A SyncTransport, though mypy cannot tell: its response's ``trailers`` is a
            # read-only property where the protocol declares an attribute.
            return cast(SyncTransport, H2SyncTransport(ssl_context=context))
        return HttpClientTransport(ssl_context=context)

    def close(self) -> None:
        """Close every transport (and the HTTP clients made for them)."""
        with self._lock:
            made = list(self._made.values())
            clients = list(self._clients)
            self._made.clear()
            self._clients.clear()
        for transport in made:
            with contextlib.suppress(Exception):
                transport.close()
        for client in clients:
            with contextlib.suppress(Exception):
                client.close()
