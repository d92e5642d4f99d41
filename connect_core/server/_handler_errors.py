"""What goes wrong in a handler, as the client and the server log see it."""

from __future__ import annotations

import logging

from google.protobuf.message import Message

from .._code import Code
from .._errors import ConnectError
from .._method import MethodInfo

logger = logging.getLogger("connect_core")


def as_connect_error(e: BaseException, method: MethodInfo[Message, Message]) -> ConnectError:
    """Turn any exception a handler raised into the error the client receives (logging the
    unexpected ones, whose details stay on the server)."""
    if isinstance(e, ConnectError):
        return e
    logger.error("unhandled exception in %s", method.procedure, exc_info=e)
    return ConnectError(Code.INTERNAL, "internal error")


def deadline_error() -> ConnectError:
    """The error of a call that ran past its deadline."""
    return ConnectError(Code.DEADLINE_EXCEEDED, "the call's deadline expired")


def check_output(method: MethodInfo[Message, Message], message: object) -> Message:
    """Return ``message`` when it is the method's response type; else log the mistake on the
    server (it is the handler's, not the client's) and raise ``internal``."""
    if not isinstance(message, method.output):
        verb = "yielded" if method.stream_type.server_streams else "returned"
        text = (
            f"{method.procedure} handler {verb} {type(message).__name__}, expected "
            f"{method.output.DESCRIPTOR.full_name}"
        )
        logger.error("%s", text)
        raise ConnectError(Code.INTERNAL, text)
    return message
