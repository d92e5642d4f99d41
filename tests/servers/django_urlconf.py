"""URLconf modules made on the fly, for tests that check or serve a given set of patterns."""

from __future__ import annotations

import sys
import types
import uuid


def urlconf(*patterns: object) -> str:
    """The dotted name of a new URLconf module holding ``patterns`` (registered in
    ``sys.modules`` under a fresh name, for ``ROOT_URLCONF``)."""
    name = f"connect_test_urls_{uuid.uuid4().hex}"
    module = types.ModuleType(name)
    module.urlpatterns = list(patterns)  # type: ignore[attr-defined]
    sys.modules[name] = module
    return name
