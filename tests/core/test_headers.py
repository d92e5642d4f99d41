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
