"""Headers: case-insensitive, multi-valued; binary (-bin) values."""

from __future__ import annotations

import pytest

from connect_core import Headers, decode_binary_header, encode_binary_header


def test_case_insensitive() -> None:
    h = Headers({"Content-Type": "a"})
    assert h["content-type"] == h["CONTENT-TYPE"] == "a"
    assert "Content-type" in h
    h["X-Foo"] = "1"
    assert list(h) == ["content-type", "x-foo"]
    del h["x-FOO"]
    assert "x-foo" not in h
    assert 5 not in h  # type: ignore[operator]


def test_multi_values() -> None:
    h = Headers([("Set-Cookie", "a"), ("set-cookie", "b"), ("x", "1")])
    assert h["set-cookie"] == "a"
    assert h.getall("SET-COOKIE") == ["a", "b"]
    h.add("x", "2")
    assert list(h.multi_items()) == [
        ("set-cookie", "a"),
        ("set-cookie", "b"),
        ("x", "1"),
        ("x", "2"),
    ]
    assert len(h) == 2
    h["x"] = "3"  # assignment replaces every value
    assert h.getall("x") == ["3"]
    assert h.getall("missing") == []
    assert h.get("missing") is None and h.get("missing", "d") == "d"


def test_from_raw_and_equality() -> None:
    # ASGI servers send lower-case names, which from_raw takes as they are.
    h = Headers.from_raw([(b"x-a", b"1"), (b"x-a", b"2"), (b"latin", "é".encode("latin-1"))])
    assert h.getall("x-a") == ["1", "2"]
    assert h["latin"] == "é"
    assert h == Headers([("x-a", "1"), ("x-a", "2"), ("latin", "é")])
    assert Headers({"A": "1"}) == {"a": "1"}
    assert Headers() != Headers({"a": "1"})
    assert not Headers()
    assert Headers({"a": "1"})


def test_from_first_values_reads_and_changes_like_any_headers() -> None:
    # WSGI servers join a header's values: environ_headers wraps them as they are.
    first = {"content-type": "application/proto", "x-a": "1"}
    h = Headers.from_first_values(first)
    assert h.first_values() is first
    assert h.get("Content-Type") == "application/proto"
    assert h.get("x-missing", "d") == "d"
    assert h["X-A"] == "1"
    assert "x-a" in h and len(h) == 2
    assert h == Headers({"content-type": "application/proto", "x-a": "1"})
    h.add("x-a", "2")
    assert h.getall("x-a") == ["1", "2"]
    assert h.get("content-type") == "application/proto"  # kept through the change
    h["x-b"] = "3"
    del h["content-type"]
    assert list(h.multi_items()) == [("x-a", "1"), ("x-a", "2"), ("x-b", "3")]
    assert h.first_values() == {"x-a": "1", "x-b": "3"}
    c = h.copy()
    c["x-a"] = "9"
    assert h["x-a"] == "1"


def test_from_first_values_set_first_keeps_the_rest() -> None:
    h = Headers.from_first_values({"x-a": "1", "x-b": "2"})
    h["x-c"] = "3"  # the first change builds the value lists from the first values
    assert dict(h) == {"x-a": "1", "x-b": "2", "x-c": "3"}
    h2 = Headers.from_first_values({"x-a": "1", "x-b": "2"})
    del h2["x-a"]
    assert dict(h2) == {"x-b": "2"}


def test_copy_is_independent() -> None:
    h = Headers([("a", "1")])
    c = h.copy()
    c.add("a", "2")
    assert h.getall("a") == ["1"]


@pytest.mark.parametrize("raw", [b"", b"\x00", b"\x00\x01", b"\xff\xfe\xfd", bytes(range(256))])
def test_binary_round_trip(raw: bytes) -> None:
    text = encode_binary_header(raw)
    assert "=" not in text
    assert decode_binary_header(text) == raw


def test_binary_decoding_variants() -> None:
    raw = b"\xfb\xff\xfe"
    assert decode_binary_header("+//+") == raw
    assert decode_binary_header("-__-") == raw
    assert decode_binary_header("AAE=") == b"\x00\x01"
    assert decode_binary_header(" AAE ") == b"\x00\x01"


@pytest.mark.parametrize("bad", ["not base64!", "a$b", "ab=c"])
def test_binary_decoding_rejects_garbage(bad: str) -> None:
    with pytest.raises(ValueError):
        decode_binary_header(bad)


def test_binary_accessors() -> None:
    h = Headers()
    h.set_binary("Trace-Bin", b"\x00\x01")
    assert h["trace-bin"] == "AAE"
    assert h.get_binary("trace-bin") == b"\x00\x01"
    assert h.get_binary("absent-bin") is None
    with pytest.raises(ValueError):
        h.set_binary("trace", b"x")
