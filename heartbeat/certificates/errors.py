"""The error certificate functions raise for the person using them."""

from __future__ import annotations


class CertificateError(ValueError):
    """A certificate action that cannot be done, with a message for the person."""


class ImageRejected(ValueError):
    """An upload that cannot be used, with a message for the person who chose it."""
