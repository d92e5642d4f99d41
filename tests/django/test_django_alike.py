"""The three integrations answer alike where their frameworks allow: here, what each one
takes for a Connect call (Django's settings are configured in this folder's conftest)."""

from __future__ import annotations

import connect_django
import connect_fastapi
import connect_flask
import pytest
from django.test import RequestFactory
from flask import Flask, request
from starlette.requests import Request

HEADS = [
    ("POST", {"content-type": "application/proto"}, "", True),
    ("POST", {"content-type": "application/connect+json"}, "", True),
    ("POST", {"content-type": "application/json", "connect-protocol-version": "1"}, "", True),
    ("POST", {"content-type": "application/json"}, "", False),
    ("POST", {"content-type": "application/x-www-form-urlencoded"}, "", False),
    ("GET", {"accept": "text/html"}, "", False),
    ("GET", {}, "connect=v1&encoding=json&message=%7B%7D", True),
    ("GET", {}, "connect=v2", False),
]


@pytest.mark.parametrize(("method", "headers", "query", "expected"), HEADS)
def test_speaks_connect_agrees_across_the_integrations(
    method: str, headers: dict[str, str], query: str, expected: bool
) -> None:
    scope = {
        "type": "http",
        "method": method,
        "path": "/x",
        "query_string": query.encode(),
        "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
    }
    assert connect_fastapi.speaks_connect(Request(scope)) is expected
    with Flask(__name__).test_request_context(
        "/x", method=method, headers=headers, query_string=query
    ):
        assert connect_flask.speaks_connect(request) is expected
    meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    if "HTTP_CONTENT_TYPE" in meta:
        meta["CONTENT_TYPE"] = meta.pop("HTTP_CONTENT_TYPE")
    django_request = RequestFactory().generic(method, f"/x?{query}" if query else "/x", **meta)
    assert connect_django.speaks_connect(django_request) is expected
