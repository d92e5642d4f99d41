"""The README's "Call" snippet for a client stream runs as written: its imports, its
``requests()`` generator, headers, a deadline and ``ResponseMetadata``."""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
from pathlib import Path
from typing import Any

from servers.integrations import GREET_ASGI, ServerPool
from servers.run import UVICORN

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_call_snippet(server_pool: ServerPool) -> None:
    section = README.read_text().split("\n## Call\n", 1)[1]
    snippets = re.findall(r"```python\n(.*?)```", section, re.S)
    (code,) = [s for s in snippets if "async def requests()" in s]
    url = server_pool.get(UVICORN, GREET_ASGI).url
    assert '"http://localhost:8000"' in code
    namespace: dict[str, Any] = {}
    exec(compile(code.replace("http://localhost:8000", url), str(README), "exec"), namespace)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        asyncio.run(namespace["main"]())
    assert out.getvalue() == "Hello, Jane!\nHello, John!\n v1\n", out.getvalue()
