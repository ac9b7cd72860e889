"""Which function runs each kind of job.

A feature registers its handlers with a decorator::

    from heartbeat.jobs import registry

    @registry.handler("certificates.print_batch", label="Print certificates")
    def print_batch(ctx: JobContext, params: dict) -> JobResult | None: ...

Every process that runs jobs (a web process without Redis, an RQ worker) must have imported the
module before it runs the job. ``get`` makes that dependable: for kind ``<feature>.<name>`` it
imports ``heartbeat.<feature>.jobs`` when the kind is not known yet, so a feature that keeps its
handlers in ``heartbeat/<feature>/jobs.py`` needs nothing else. Modules elsewhere can be listed
in ``HEARTBEAT_JOB_MODULES``.
"""

from __future__ import annotations

import importlib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

KIND_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")

F = TypeVar("F", bound=Callable[..., Any])


class UnknownJobKind(LookupError):
    pass


@dataclass(frozen=True)
class Handler:
    kind: str
    func: Callable[..., Any]
    label: Any  # text, or lazily translated text (``_l``): read when a page shows it


_handlers: dict[str, Handler] = {}
_lock = threading.Lock()


def _default_label(kind: str) -> str:
    feature, _, name = kind.partition(".")
    return f"{feature.capitalize()}: {name.replace('_', ' ').replace('.', ' ')}"


def _same_function(a: Callable[..., Any], b: Callable[..., Any]) -> bool:
    # A module imported twice (a reload, a test collecting it) defines an equal function anew.
    return (a.__module__, a.__qualname__) == (b.__module__, b.__qualname__)


def handler(kind: str, *, label: Any = None) -> Callable[[F], F]:
    """Register the decorated function as the handler of ``kind`` (``feature.name``)."""
    if not KIND_PATTERN.match(kind) or len(kind) > 80:
        raise ValueError(f"job kind {kind!r} must look like 'feature.name' (lower case, dots)")

    def decorator(func: F) -> F:
        with _lock:
            existing = _handlers.get(kind)
            if existing is not None and not _same_function(existing.func, func):
                raise ValueError(
                    f"job kind {kind!r} is already handled by "
                    f"{existing.func.__module__}.{existing.func.__qualname__}"
                )
            _handlers[kind] = Handler(kind, func, label or _default_label(kind))
        return func

    return decorator


def _import_feature_module(kind: str) -> None:
    feature = kind.partition(".")[0]
    try:
        importlib.import_module(f"heartbeat.{feature}.jobs")
    except ModuleNotFoundError as error:
        if error.name not in (f"heartbeat.{feature}", f"heartbeat.{feature}.jobs"):
            raise


def import_modules(names: str | list[str]) -> None:
    """Import the modules that register handlers (``HEARTBEAT_JOB_MODULES``)."""
    if isinstance(names, str):
        names = [name.strip() for name in names.split(",")]
    for name in names:
        if name:
            importlib.import_module(name)


def get(kind: str) -> Handler:
    found = _handlers.get(kind)
    if found is None and KIND_PATTERN.match(kind):
        _import_feature_module(kind)
        found = _handlers.get(kind)
    if found is None:
        raise UnknownJobKind(f"no job handler is registered for {kind!r}")
    return found


def label(kind: str) -> str:
    """The human name of a kind, for pages (in the reader's language when the handler marked
    it); an unknown kind shows as itself."""
    try:
        return str(get(kind).label)
    except UnknownJobKind:
        return _default_label(kind)


def kinds() -> list[str]:
    return sorted(_handlers)
