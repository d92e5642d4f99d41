"""ConnectRouter refuses an interceptor that would never run on its service's flavour."""

from __future__ import annotations

from typing import Any

import pytest
from connect_fastapi import ConnectRouter
from servers.echo_service import SyncEcho

from connect_core import Code, ConnectError, RequestContext


class AsyncOnlyAuth:
    async def on_start(self, ctx: RequestContext) -> Any:
        raise ConnectError(Code.UNAUTHENTICATED, "no")


def test_async_interceptor_on_a_sync_service_is_refused() -> None:
    with pytest.raises(TypeError, match=r"AsyncOnlyAuth is async-only \(on_start\)"):
        ConnectRouter(SyncEcho(), interceptors=[AsyncOnlyAuth()])
