"""Programs that the official Connect conformance runner (``connectconformance``) drives.

``python -m conformance.server`` serves ``connectrpc.conformance.v1.ConformanceService`` on one
of the project's server integrations; ``python -m conformance.client`` performs the runner's
calls with the project's clients; ``python -m conformance.run`` runs the runner over every
combination in ``conformance/configs/``. Run them from the repository root.
"""

from __future__ import annotations

import sys
from pathlib import Path

GEN = Path(__file__).resolve().parent / "gen"

# The suite's protos live in the ``connectrpc.conformance.v1`` package. The official
# ``connectrpc`` distribution (a test dependency) owns the top-level ``connectrpc`` package,
# so the generated code joins it as a subpackage instead of shadowing it.
if str(GEN) not in sys.path:
    sys.path.append(str(GEN))
try:
    import connectrpc as _connectrpc
except ImportError:  # pragma: no cover - the official package is absent: a namespace package
    pass
else:
    _gen_connectrpc = str(GEN / "connectrpc")
    if _gen_connectrpc not in _connectrpc.__path__:
        _connectrpc.__path__.append(_gen_connectrpc)
