"""The application ``$CONFORMANCE_APP`` describes, as a module attribute: for servers that
import the application by name in a process of their own (``pyvoy conformance._env_app:app``).
"""

from __future__ import annotations

from .server import app_from_env

app = app_from_env()
