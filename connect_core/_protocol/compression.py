"""Compression algorithms, with decompression bounded so a small bomb cannot allocate much."""

from __future__ import annotations

import contextlib
import io
import threading
import zlib
from collections.abc import Iterable
from typing import Any, Protocol, runtime_checkable

from .._code import Code
from .._errors import ConnectError


@runtime_checkable
class Compression(Protocol):
    """A compression algorithm. ``name`` is its token in ``Content-Encoding`` headers."""

    name: str

    def compress(self, data: bytes) -> bytes:
        """Compress ``data``."""
        ...

    def decompress(self, data: bytes, max_bytes: int) -> bytes:
        """Decompress ``data``; raise :class:`ConnectError` past ``max_bytes`` of output.

        ``max_bytes`` <= 0 means no limit.
        """
        ...


def too_large(limit: int) -> ConnectError:
    """The error for a message whose decompressed size passes ``limit``."""
    return ConnectError(
        Code.RESOURCE_EXHAUSTED, f"message is larger than the configured limit of {limit} bytes"
    )


def _corrupt(name: str, e: Exception) -> ConnectError:
    return ConnectError(Code.INVALID_ARGUMENT, f"could not decompress {name} data: {e}")


class GzipCompression:
    """gzip (RFC 1952)."""

    name = "gzip"

    def __init__(self, level: int = 6) -> None:
        """Compress at ``level`` (1 fastest … 9 smallest)."""
        self.level = level

    def compress(self, data: bytes) -> bytes:
        """Compress ``data`` into one gzip member."""
        c = zlib.compressobj(self.level, zlib.DEFLATED, 31)
        return c.compress(data) + c.flush()

    def decompress(self, data: bytes, max_bytes: int) -> bytes:
        """Inflate every member of ``data`` (as ``gzip.decompress`` does), at most
        ``max_bytes`` in all; anything after the last member is an error, never dropped."""
        parts: list[bytes] = []
        size = 0
        rest = data
        try:
            while True:
                d = zlib.decompressobj(31)
                if max_bytes > 0:
                    out = d.decompress(rest, max_bytes + 1 - size)
                    if size + len(out) > max_bytes or d.unconsumed_tail:
                        raise too_large(max_bytes)
                else:
                    out = d.decompress(rest)
                if not d.eof:
                    raise ConnectError(Code.INVALID_ARGUMENT, "gzip data is truncated")
                parts.append(out)
                size += len(out)
                rest = d.unused_data
                if not rest:
                    return parts[0] if len(parts) == 1 else b"".join(parts)
                if not rest.startswith(_GZIP_MAGIC):
                    raise ConnectError(
                        Code.INVALID_ARGUMENT,
                        f"gzip data has {len(rest)} bytes of trailing garbage after its last "
                        "member",
                    )
        except zlib.error as e:
            raise _corrupt(self.name, e) from e


_GZIP_MAGIC = b"\x1f\x8b"


class BrotliCompression:
    """Brotli (``br``), from the ``brotli`` package."""

    name = "br"

    def __init__(self, quality: int = 4) -> None:
        """Compress at ``quality`` (0 fastest … 11 smallest)."""
        import brotli

        self._brotli = brotli
        self.quality = quality

    def compress(self, data: bytes) -> bytes:
        """Compress ``data``."""
        out: bytes = self._brotli.compress(data, quality=self.quality)
        return out

    def decompress(self, data: bytes, max_bytes: int) -> bytes:
        """Decompress, stopping as soon as the output passes ``max_bytes``."""
        d = self._brotli.Decompressor()
        try:
            if max_bytes <= 0:
                out: bytes = d.process(data)
            else:
                out = d.process(data, output_buffer_limit=max_bytes + 1)
                if len(out) > max_bytes:
                    raise too_large(max_bytes)
                parts = [out]
                size = len(out)
                while not d.is_finished() and not d.can_accept_more_data():
                    chunk = d.process(b"", output_buffer_limit=max_bytes + 1 - size)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > max_bytes:
                        raise too_large(max_bytes)
                    parts.append(chunk)
                out = b"".join(parts)
        except self._brotli.error as e:
            raise _corrupt(self.name, e) from e
        if not d.is_finished():
            raise ConnectError(Code.INVALID_ARGUMENT, "br data is truncated")
        return out


class ZstdCompression:
    """Zstandard (``zstd``), from the ``zstandard`` package.

    Safe to share between threads: ``zstandard``'s compressor and decompressor objects are
    not (used concurrently they corrupt data), so each thread gets its own pair.
    """

    name = "zstd"

    def __init__(self, level: int = 3) -> None:
        """Compress at ``level``."""
        import zstandard

        self._zstd = zstandard
        self.level = level
        self._local = threading.local()

    def _compressor(self) -> Any:
        """This thread's compressor."""
        try:
            return self._local.compressor
        except AttributeError:
            c = self._local.compressor = self._zstd.ZstdCompressor(level=self.level)
            return c

    def compress(self, data: bytes) -> bytes:
        """Compress ``data`` into one frame (with its content size)."""
        out: bytes = self._compressor().compress(data)
        return out

    def decompress(self, data: bytes, max_bytes: int) -> bytes:
        """Decompress every frame of ``data`` (as zstd's multi-frame readers do), through a
        bounded reader first, so a bomb never expands past ``max_bytes``; the window a frame
        may declare is bounded by the limit too (:func:`_window_limit`)."""
        decompressor = self._decompressor(max_bytes)
        try:
            if max_bytes > 0:
                reader = decompressor.stream_reader(io.BytesIO(data), read_across_frames=True)
                if len(reader.read(max_bytes + 1)) > max_bytes:
                    raise too_large(max_bytes)
            # The output is now known to fit: decompress for real, frame after frame, which
            # also detects truncation and trailing garbage.
            parts: list[bytes] = []
            rest = data
            while rest:
                d = decompressor.decompressobj()
                parts.append(d.decompress(rest))
                if not d.eof:
                    raise ConnectError(Code.INVALID_ARGUMENT, "zstd data is truncated")
                rest = d.unused_data
        except self._zstd.ZstdError as e:
            raise _corrupt(self.name, e) from e
        return b"".join(parts)

    def _decompressor(self, max_bytes: int) -> Any:
        """This thread's decompressor for messages of at most ``max_bytes``."""
        window = _window_limit(max_bytes)
        try:
            found: dict[int, Any] = self._local.decompressors
        except AttributeError:
            found = self._local.decompressors = {}
        d = found.get(window)
        if d is None:
            d = found[window] = self._zstd.ZstdDecompressor(max_window_size=window)
        return d


_MIN_WINDOW = 8 << 20
_MAX_WINDOW = 128 << 20


def _window_limit(max_bytes: int) -> int:
    """The largest window a zstd frame may declare for a message of at most ``max_bytes``: the
    limit rounded up to a power of two, at least 8 MiB (what streaming compressors use at high
    levels) and at most 128 MiB (zstd's own default), so that concurrent frames declaring huge
    windows cannot exhaust memory."""
    if max_bytes <= 0:
        return _MAX_WINDOW
    return min(max(_MIN_WINDOW, 1 << (max_bytes - 1).bit_length()), _MAX_WINDOW)


def default_compressions() -> tuple[Compression, ...]:
    """gzip always, plus br and zstd when their packages are installed, in preference order."""
    found: list[Compression] = []
    for factory in (ZstdCompression, BrotliCompression):
        with contextlib.suppress(ImportError):
            found.append(factory())
    found.insert(0, GzipCompression())
    return tuple(found)


def by_name(compressions: Iterable[Compression]) -> dict[str, Compression]:
    """Index compressions by their ``Content-Encoding`` token."""
    return {c.name: c for c in compressions}
