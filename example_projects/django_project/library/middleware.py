"""HTTP Basic authentication against Django's users, for API clients without a session.

A request with ``Authorization: Basic <user:password>`` whose credentials Django's
authentication backends accept gets that user as ``request.user``; any other request is left
to the session (``AuthenticationMiddleware``, which runs first).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable

from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse


class BasicAuthMiddleware:
    """Sets ``request.user`` from HTTP Basic credentials."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.headers.get("authorization", "")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() == "basic" and encoded:
            try:
                username, _, password = base64.b64decode(encoded).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                username = password = ""
            user = authenticate(request, username=username, password=password)
            if user is not None:
                request.user = user
        return self.get_response(request)
