"""The sixteen error codes that Connect and gRPC share (each protocol maps them to the
wire its own way: Connect's HTTP statuses are in ``_protocol/connect_errors.py``)."""

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


_NUMBERS = {code: i for i, code in enumerate(Code, start=1)}
_BY_NUMBER = {i: code for code, i in _NUMBERS.items()}
_BY_NAME = {code.value: code for code in Code}
