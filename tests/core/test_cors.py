"""The protocol's CORS lists, merged with an application's own names."""

from __future__ import annotations

from connect_core.cors import (
    ALLOWED_HEADERS,
    ALLOWED_METHODS,
    EXPOSED_HEADERS,
    allowed_headers,
    allowed_methods,
    exposed_headers,
)


def test_merged_lists_keep_the_protocol_names_first_each_once() -> None:
    assert allowed_methods() == list(ALLOWED_METHODS)
    assert allowed_methods(["put", "POST"]) == [*ALLOWED_METHODS, "PUT"]
    assert allowed_headers(["Authorization", "Content-Type"]) == [
        *ALLOWED_HEADERS,
        "authorization",
    ]
    assert exposed_headers(["Trailer-X-Id", "trailer-x-id"]) == [
        *EXPOSED_HEADERS,
        "trailer-x-id",
    ]
