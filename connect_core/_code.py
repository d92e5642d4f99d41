"""The sixteen Connect error codes and their HTTP mappings."""

from __future__ import annotations

import enum


class Code(enum.Enum):
    """A Connect error code.

    The value is the code's wire name (``"invalid_argument"``); :attr:`number` gives the
    numeric code shared with gRPC.
    """

    CANCELED = "canceled"
    UNKNOWN = "unknown"
    INVALID_ARGUMENT = "invalid_argument"
    DEADLINE_EXCEEDED = "deadline_exceeded"
    NOT_FOUND = "not_found"
    ALREADY_EXISTS = "already_exists"
    PERMISSION_DENIED = "permission_denied"
    RESOURCE_EXHAUSTED = "resource_exhausted"
    FAILED_PRECONDITION = "failed_precondition"
    ABORTED = "aborted"
    OUT_OF_RANGE = "out_of_range"
    UNIMPLEMENTED = "unimplemented"
    INTERNAL = "internal"
    UNAVAILABLE = "unavailable"
    DATA_LOSS = "data_loss"
    UNAUTHENTICATED = "unauthenticated"

    @property
    def number(self) -> int:
        """The numeric code (1 for ``canceled`` … 16 for ``unauthenticated``)."""
        return _NUMBERS[self]

    @property
    def http_status(self) -> int:
        """The HTTP status a unary Connect response carries for this code."""
        return _HTTP_STATUS[self]

    @classmethod
    def from_number(cls, number: int) -> Code:
        """Return the code for a numeric value; raises ``ValueError`` for 0 or unknown values."""
        try:
            return _BY_NUMBER[number]
        except KeyError:
            raise ValueError(f"no Connect code has the number {number}") from None

    @classmethod
    def from_name(cls, name: str) -> Code | None:
        """Return the code for a wire name, or ``None`` when the name is not a Connect code."""
        return _BY_NAME.get(name)

    @classmethod
    def from_http_status(cls, status: int) -> Code:
        """Map an HTTP status without a Connect error body to a code, as the protocol specifies."""
        return _FROM_HTTP.get(status, Code.UNKNOWN)


_NUMBERS = {code: i for i, code in enumerate(Code, start=1)}
_BY_NUMBER = {i: code for code, i in _NUMBERS.items()}
_BY_NAME = {code.value: code for code in Code}

_HTTP_STATUS = {
    Code.CANCELED: 499,
    Code.UNKNOWN: 500,
    Code.INVALID_ARGUMENT: 400,
    Code.DEADLINE_EXCEEDED: 504,
    Code.NOT_FOUND: 404,
    Code.ALREADY_EXISTS: 409,
    Code.PERMISSION_DENIED: 403,
    Code.RESOURCE_EXHAUSTED: 429,
    Code.FAILED_PRECONDITION: 400,
    Code.ABORTED: 409,
    Code.OUT_OF_RANGE: 400,
    Code.UNIMPLEMENTED: 501,
    Code.INTERNAL: 500,
    Code.UNAVAILABLE: 503,
    Code.DATA_LOSS: 500,
    Code.UNAUTHENTICATED: 401,
}

_FROM_HTTP = {
    400: Code.INTERNAL,
    401: Code.UNAUTHENTICATED,
    403: Code.PERMISSION_DENIED,
    404: Code.UNIMPLEMENTED,
    429: Code.UNAVAILABLE,
    502: Code.UNAVAILABLE,
    503: Code.UNAVAILABLE,
    504: Code.UNAVAILABLE,
}
