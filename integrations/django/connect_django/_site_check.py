"""A misconfigured Connect service stops the site, as a broken URLconf does.

``manage.py check`` and ``runserver`` report a service that cannot be served
(``connect_django.E001`` and the other errors of :mod:`connect_django._checks`), but
production servers (gunicorn, uvicorn) run no checks: without this, such a service would
answer ``internal`` to every caller for as long as nobody looks at the logs. So the first
request a process serves runs the Connect checks once; when one of them is an error (and not
in ``SILENCED_SYSTEM_CHECKS``), that request and every later one raise
``ImproperlyConfigured`` naming the errors and their fixes, which the server logs and
answers with a 500, as it does for a URLconf that does not import. Under
:mod:`connect_django.asgi` the same check runs at the ASGI lifespan's start-up, so the
server refuses to start.
"""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import request_started

_lock = threading.Lock()
_verdict: list[str | None] = []  # empty: not checked yet; [None]: fine; [message]: broken


def site_errors() -> list[CheckMessage]:
    """The Connect check errors of the project's URLconf that are not silenced."""
    from ._checks import check_connect_services

    silenced = set(getattr(settings, "SILENCED_SYSTEM_CHECKS", ()))
    return [m for m in check_connect_services() if m.is_serious() and m.id not in silenced]


def refusal_message(errors: list[CheckMessage]) -> str:
    """Why the site refuses to serve: every error with its hint."""
    lines = [f"{m.id}: {m.msg}" + (f" HINT: {m.hint}" if m.hint else "") for m in errors]
    return (
        "connect_django refuses to serve a misconfigured Connect service (run manage.py check "
        "for the full report): " + "; ".join(lines)
    )


def check_site() -> None:
    """Raise ``ImproperlyConfigured`` when a Connect service of the site cannot be served;
    the first call checks, later ones repeat its verdict."""
    with _lock:
        if not _verdict:
            errors = site_errors()
            _verdict.append(refusal_message(errors) if errors else None)
    message = _verdict[0]
    if message is not None:
        raise ImproperlyConfigured(message)


def _on_request_started(sender: Any, **kwargs: Any) -> None:
    check_site()
    # Fine: later requests need not ask again.
    request_started.disconnect(_on_request_started, dispatch_uid=_UID)


_UID = "connect_django.check_site"


def watch_requests() -> None:
    """Check the site at the first request a process serves (see the module)."""
    request_started.connect(_on_request_started, dispatch_uid=_UID, weak=False)


def reset() -> None:
    """Forget the verdict and check again at the next request (for tests that change the
    URLconf)."""
    with _lock:
        _verdict.clear()
    watch_requests()
