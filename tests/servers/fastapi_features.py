"""The FastAPI app of the ``connect_fastapi`` tests (``tests/fastapi/fastapi_apps.py``) as
``servers.fastapi_features:app``, so that the server pool (``servers.integrations``) can
serve it to tests outside ``tests/fastapi`` (the interop tests).

``tests/fastapi`` is not a package (as one named ``fastapi`` it would shadow FastAPI), so it
joins the end of ``sys.path`` for the import.
"""

from __future__ import annotations

import sys
from pathlib import Path

_FASTAPI_TESTS = str(Path(__file__).resolve().parents[1] / "fastapi")
if _FASTAPI_TESTS not in sys.path:
    sys.path.append(_FASTAPI_TESTS)

from fastapi_apps import TOKEN, app  # noqa: E402

__all__ = ["TOKEN", "app"]
