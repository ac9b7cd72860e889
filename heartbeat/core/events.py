"""Named moments one feature announces and the features above it act on.

A lower package must never import a higher one, yet a saved session has to reach the milestone
engine, a new centre needs its default ladder, and erasing a person touches every feature. The
package that owns the moment declares it here-style (``centre_created = event("centre.created")``)
and sends it; each feature above connects a receiver in its ``hooks.register()``, which
``create_app`` calls bottom-up. Receivers run in the sender's transaction, in the order they were
connected, and an exception from one aborts the sender (so a receiver can refuse).

Built on blinker, the signal library Flask itself uses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from blinker import Namespace, Signal

_EVENTS = Namespace()


def event(name: str, doc: str | None = None) -> Signal:
    """The one signal called ``name`` (the same object on every call)."""
    return _EVENTS.signal(name, doc)


def connect(signal: Signal, receiver: Callable[..., Any]) -> None:
    """Connect ``receiver`` (a module-level function) once, however often apps are created."""
    signal.connect(receiver, weak=False)
