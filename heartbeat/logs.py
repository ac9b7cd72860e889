"""One JSON line per log record, with the request id and any structured fields."""

from __future__ import annotations

import json
import logging
import sqlite3
import traceback
from datetime import UTC, datetime

from flask import Flask, g, has_request_context
from sqlalchemy.exc import StatementError

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
# Structured fields that must never reach a log, whoever passes them: secrets and health data.
# Log ids instead (user_id, participant_id...).
REDACTED_FIELDS = frozenset(
    {
        "password",
        "new_password",
        "current_password",
        "token",
        "authorization",
        "csrf_token",
        "cookie",
        "session",
        "secret",
        "code",
        "recovery_code",
        "body",
        "note",
        "condition",
        "pain",
        "name",
        "email",
    }
)


def _database_error_classes() -> tuple[type[BaseException], ...]:
    classes: list[type[BaseException]] = [StatementError, sqlite3.Error]
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        pass
    else:
        classes.append(psycopg.Error)
    return tuple(classes)


_DATABASE_ERRORS = _database_error_classes()


def _describe_database_error(error: BaseException) -> str:
    """What a database error was, without its message: PostgreSQL's DETAIL repeats the row
    ("Failing row contains (…names…)", "Key (email)=(…) already exists")."""
    original = getattr(error, "orig", None) or error
    parts = [f"details withheld from the log ({type(original).__name__}"]
    sqlstate = getattr(original, "sqlstate", None)
    if sqlstate:
        parts.append(f", SQLSTATE {sqlstate}")
    diag = getattr(original, "diag", None)
    for label in ("table_name", "column_name", "constraint_name"):
        value = getattr(diag, label, None) if diag is not None else None
        if value:
            parts.append(f", {label.removesuffix('_name')} {value}")
    return "".join(parts) + ")"


def format_exception_safely(error: BaseException) -> str:
    """The traceback, with every database error's message replaced by what kind of error it was.

    The frames say where it happened; the messages of database errors can carry a statement's
    values or a row's content, which may be health data.
    """
    trace = traceback.TracebackException.from_exception(error)
    seen: set[int] = set()
    pending: list[tuple[traceback.TracebackException | None, BaseException | None]] = [
        (trace, error)
    ]
    while pending:
        node, exc = pending.pop()
        if node is None or exc is None or id(exc) in seen:
            continue
        seen.add(id(exc))
        if isinstance(exc, _DATABASE_ERRORS):
            # The message as TracebackException stores it (the same attribute on 3.11-3.13).
            node._str = _describe_database_error(exc)  # type: ignore[attr-defined]  # private
        pending.append((node.__cause__, exc.__cause__))
        pending.append((node.__context__, exc.__context__))
    return "".join(trace.format()).rstrip("\n")


class JsonLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        if has_request_context() and "request_id" not in record.__dict__:
            line["request_id"] = g.get("request_id")
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = "[redacted]" if key.lower() in REDACTED_FIELDS else value
        if record.exc_info and record.exc_info[1] is not None:
            line["error"] = format_exception_safely(record.exc_info[1])
        return json.dumps(line, default=str)


def configure_logging(app: Flask) -> None:
    logger = logging.getLogger("heartbeat")
    logger.setLevel(app.config["HEARTBEAT_LOG_LEVEL"].upper())
    if not any(getattr(h, "_heartbeat", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonLineFormatter())
        handler._heartbeat = True  # type: ignore[attr-defined]  # marks the handler as ours
        logger.addHandler(handler)
