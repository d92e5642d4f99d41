"""The Connect protocol's error form: its JSON error object and its code-to-HTTP tables.

Both sides of the Connect protocol use them (``connect_server``, ``connect_client``), and
nothing else does: another protocol renders errors its own way (gRPC: ``grpc-status`` and
``grpc-message`` trailers, details in ``grpc-status-details-bin``).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from google.protobuf import any_pb2, json_format

from .._code import Code
from .._errors import ConnectError, ErrorDetail
from .._headers import decode_binary_header

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


def http_status(code: Code) -> int:
    """The HTTP status a unary Connect response carries for ``code``."""
    return _HTTP_STATUS[code]


def code_for_http_status(status: int) -> Code:
    """The code of an HTTP status that carries no Connect error body, as the protocol
    specifies."""
    return _FROM_HTTP.get(status, Code.UNKNOWN)


def error_to_dict(error: ConnectError) -> dict[str, Any]:
    """The error as the protocol's JSON object (``code``, ``message``, ``details``)."""
    out: dict[str, Any] = {"code": error.code.value}
    if error.message:
        out["message"] = error.message
    if error.details:
        out["details"] = [_detail_to_dict(d) for d in error.details]
    return out


def error_to_json(error: ConnectError) -> bytes:
    """The error as the protocol's JSON error body."""
    return json.dumps(error_to_dict(error), separators=(",", ":")).encode()


def error_from_dict(data: Any, *, fallback: Code = Code.UNKNOWN) -> ConnectError:
    """An error from the protocol's JSON object, tolerating missing or odd fields."""
    if not isinstance(data, dict):
        return ConnectError(fallback, "malformed error body", wire=True)
    raw_code = data.get("code")
    code = Code.from_name(raw_code) if isinstance(raw_code, str) else None
    message = data.get("message")
    details: list[ErrorDetail] = []
    raw_details = data.get("details")
    if isinstance(raw_details, list):
        for raw in raw_details:
            detail = _detail_from_dict(raw)
            if detail is not None:
                details.append(detail)
    return ConnectError(
        code or fallback,
        message if isinstance(message, str) else "",
        details=details,
        wire=True,
    )


def error_from_json(body: bytes, *, fallback: Code = Code.UNKNOWN) -> ConnectError:
    """Parse a JSON error body; a body that is not JSON yields ``fallback``."""
    try:
        data = json.loads(body)
    except ValueError:
        return ConnectError(fallback, body.decode("utf-8", "replace")[:200], wire=True)
    return error_from_dict(data, fallback=fallback)


def _b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


def _detail_to_dict(detail: ErrorDetail) -> dict[str, Any]:
    out: dict[str, Any] = {"type": detail.type_name, "value": _b64encode(detail.value)}
    if detail.debug is not None:
        out["debug"] = detail.debug
    elif detail._message is not None:
        out["debug"] = json_format.MessageToDict(detail._message)
    return out


def _detail_from_dict(raw: Any) -> ErrorDetail | None:
    if not isinstance(raw, dict):
        return None
    type_name, value = raw.get("type"), raw.get("value", "")
    if not isinstance(type_name, str) or not isinstance(value, str):
        return None
    try:
        data = decode_binary_header(value)
    except ValueError:
        return None
    packed = any_pb2.Any(type_url=f"type.googleapis.com/{type_name}", value=data)
    return ErrorDetail(packed, debug=raw.get("debug"))
