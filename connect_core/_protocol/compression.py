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
        """Inflate at most ``max_bytes`` (plus one to detect overflow)."""
        d = zlib.decompressobj(31)
        try:
            if max_bytes > 0:
                out = d.decompress(data, max_bytes + 1)
                if len(out) > max_bytes:
                    raise too_large(max_bytes)
            else:
                out = d.decompress(data)
            if not d.eof:
                raise ConnectError(Code.INVALID_ARGUMENT, "gzip data is truncated")
        except zlib.error as e:
            raise _corrupt(self.name, e) from e
        return out


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

    def _contexts(self) -> tuple[Any, Any]:
        """This thread's compressor and decompressor."""
        try:
            pair: tuple[Any, Any] = self._local.pair
        except AttributeError:
            pair = (
                self._zstd.ZstdCompressor(level=self.level),
                self._zstd.ZstdDecompressor(),
            )
            self._local.pair = pair
        return pair

    def compress(self, data: bytes) -> bytes:
        """Compress ``data`` into one frame (with its content size)."""
        out: bytes = self._contexts()[0].compress(data)
        return out

    def decompress(self, data: bytes, max_bytes: int) -> bytes:
        """Decompress through a bounded reader, so a bomb never expands past ``max_bytes``."""
        decompressor = self._contexts()[1]
        try:
            if max_bytes > 0:
                reader = decompressor.stream_reader(io.BytesIO(data), read_across_frames=True)
                if len(reader.read(max_bytes + 1)) > max_bytes:
                    raise too_large(max_bytes)
            # The output is now known to fit: decompress for real, which also detects truncation.
            d = decompressor.decompressobj()
            out: bytes = d.decompress(data)
        except self._zstd.ZstdError as e:
            raise _corrupt(self.name, e) from e
        if data and not d.eof:
            raise ConnectError(Code.INVALID_ARGUMENT, "zstd data is truncated")
        return out


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
