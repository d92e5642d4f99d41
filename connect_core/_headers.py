"""A case-insensitive, multi-valued header map, and binary (``-bin``) header values."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Iterator, Mapping, MutableMapping

HeaderList = list[tuple[str, str]]
"""Headers as ``(name, value)`` pairs, names lower-case: what the protocol engines produce
and transports and servers send."""


_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_FORBIDDEN_IN_VALUE = re.compile(r"[\r\n\x00]")


def check_header(name: str, value: str) -> None:
    """Raise ``ValueError`` naming the header unless ``name`` is an HTTP token and ``value``
    holds no line break or NUL and fits Latin-1: what may go on the wire (a CR/LF copied from
    a request into a response header would inject a header)."""
    if not isinstance(name, str) or not _TOKEN.fullmatch(name):
        raise ValueError(f"header name {name!r} is not an HTTP token; use letters, digits, '-'")
    if not isinstance(value, str):
        raise ValueError(f"header {name!r}: the value must be a str, got {type(value).__name__}")
    if _FORBIDDEN_IN_VALUE.search(value):
        raise ValueError(
            f"header {name!r}: the value holds a line break or NUL, which HTTP does not allow "
            "(was it copied from a request?); strip or encode it"
        )
    if not value.isascii():
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            raise ValueError(
                f"header {name!r}: the value has characters outside Latin-1, which HTTP headers "
                "cannot carry; percent-encode it, or use a -bin header with set_binary()"
            ) from None


class Headers(MutableMapping[str, str]):
    """HTTP headers or trailers: case-insensitive keys, several values per key.

    ``headers["x-a"]`` is the first value; :meth:`getall` gives every value, :meth:`add` appends
    one. Keys are stored lower-cased, as HTTP/2 and ASGI carry them. Setting or adding a value
    checks it (:func:`check_header`): a name that is not an HTTP token, or a value with a line
    break, NUL or characters outside Latin-1, is a ``ValueError`` naming the header, never
    bytes on the wire.
    """

    __slots__ = ("_b", "_d", "_raw")

    def __init__(self, items: Mapping[str, str] | Iterable[tuple[str, str]] | None = None) -> None:
        """Create headers from a mapping or from ``(name, value)`` pairs (repeats allowed)."""
        self._d: dict[str, list[str]] = {}
        self._raw: Iterable[tuple[bytes, bytes]] | None = None
        self._b: dict[str, str] | None = None
        if items is not None:
            pairs = items.items() if isinstance(items, Mapping) else items
            d = self._d
            for k, v in pairs:
                k = k.lower()
                if k in d:
                    d[k].append(v)
                else:
                    d[k] = [v]

    @classmethod
    def from_raw(cls, raw: Iterable[tuple[bytes, bytes]]) -> Headers:
        """Wrap ASGI-style ``(name, value)`` byte pairs, decoding them only when needed.

        ASGI servers lower-case header names, so they are taken as they are. Until a method
        other than :meth:`get` is used, lookups go straight to the byte pairs.
        """
        h = cls.__new__(cls)
        h._raw = raw
        h._b = None
        return h

    @classmethod
    def from_first_values(cls, first: dict[str, str]) -> Headers:
        """Wrap ``first``, a dict of lower-case header names to their one value, as it is (no
        copy, no check): for servers that joined each header's values into one (WSGI). It is
        also what :meth:`first_values` returns until the headers change."""
        h = cls.__new__(cls)
        h._raw = None
        h._b = first
        return h

    def __getattr__(self, name: str) -> dict[str, list[str]]:
        # Runs only while the "_d" slot is unset: build it from the raw pairs, or from the
        # first values, once.
        if name != "_d":
            raise AttributeError(name)
        d: dict[str, list[str]] = {}
        if self._raw is None:
            d = {k: [v] for k, v in (self._b or {}).items()}
            self._d = d
            return d
        for k, v in self._raw or ():
            key = k.decode("latin-1")
            if key in d:
                d[key].append(v.decode("latin-1"))
            else:
                d[key] = [v.decode("latin-1")]
        self._d = d
        self._raw = None
        return d

    def __getitem__(self, key: str) -> str:
        return self._d[key.lower()][0]

    def __setitem__(self, key: str, value: str) -> None:
        check_header(key, value)
        d = self._d
        self._b = None
        d[key.lower()] = [value]

    def __delitem__(self, key: str) -> None:
        d = self._d
        self._b = None
        del d[key.lower()]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._d

    def __iter__(self) -> Iterator[str]:
        return iter(self._d)

    def __len__(self) -> int:
        return len(self._d)

    def __bool__(self) -> bool:
        return bool(self._d)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Headers):
            return self._d == other._d
        if isinstance(other, Mapping):
            return self._d == {k.lower(): [v] for k, v in other.items()}
        return NotImplemented

    def __repr__(self) -> str:
        return f"Headers({list(self.multi_items())!r})"

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        """Return the first value of ``key``, or ``default``."""
        first = self._b
        if first is not None or self._raw is not None:
            if first is None:
                first = self.first_values()
            value = first.get(key)
            if value is None:
                value = first.get(key.lower())
            return default if value is None else value
        values = self._d.get(key) or self._d.get(key.lower())
        return values[0] if values else default

    def first_values(self) -> dict[str, str]:
        """The first value of every header, keyed by lower-case name (read-only use)."""
        first = self._b
        if first is None:
            raw = self._raw
            if raw is not None:
                first = {k.decode("latin-1"): v.decode("latin-1") for k, v in reversed(list(raw))}
            else:
                first = {k: v[0] for k, v in self._d.items()}
            self._b = first
        return first

    def getall(self, key: str) -> list[str]:
        """Return every value of ``key`` (an empty list when absent)."""
        return list(self._d.get(key.lower(), ()))

    def add(self, key: str, value: str) -> None:
        """Append a value to ``key``, keeping the values already there."""
        check_header(key, value)
        d = self._d
        self._b = None
        d.setdefault(key.lower(), []).append(value)

    def multi_items(self) -> Iterator[tuple[str, str]]:
        """Every ``(name, value)`` pair, repeats included."""
        for k, values in self._d.items():
            for v in values:
                yield k, v

    def get_binary(self, key: str) -> bytes | None:
        """Decode the first value of a ``-bin`` header (padded or unpadded base64).

        Raises :class:`~connect_core.ConnectError` ``invalid_argument`` naming the header when
        the value is not base64: headers come from the peer, so in a handler a bad one is the
        client's error, not the server's.
        """
        value = self.get(key)
        if value is None:
            return None
        try:
            return decode_binary_header(value)
        except ValueError as e:
            from ._code import Code
            from ._errors import ConnectError  # which imports this module

            raise ConnectError(
                Code.INVALID_ARGUMENT, f"header {key.lower()} is not valid base64: {e}"
            ) from e

    def set_binary(self, key: str, value: bytes) -> None:
        """Set a ``-bin`` header to ``value``, base64-encoded."""
        if not key.lower().endswith("-bin"):
            raise ValueError(f"binary header names end with '-bin', got {key!r}")
        self[key] = encode_binary_header(value)

    def copy(self) -> Headers:
        """Return an independent copy."""
        h = Headers()
        h._d = {k: list(v) for k, v in self._d.items()}
        return h


def encode_binary_header(value: bytes) -> str:
    """Encode a binary header value as unpadded standard base64, as Connect and gRPC send it."""
    return base64.b64encode(value).decode("ascii").rstrip("=")


def decode_binary_header(value: str) -> bytes:
    """Decode a binary header value, accepting padded and unpadded, standard and URL-safe base64.

    Raises ``ValueError`` (``binascii.Error``) when the value is not base64.
    """
    value = value.strip()
    value += "=" * (-len(value) % 4)
    if "-" in value or "_" in value:
        value = value.translate(_URLSAFE)
    return base64.b64decode(value, validate=True)


_URLSAFE = str.maketrans("-_", "+/")
