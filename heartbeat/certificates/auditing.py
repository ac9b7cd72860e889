"""What the certificates feature writes in the audit trail, in words: certificates named by
serial and name, print batches, and the fields of the certificate design."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import sqlalchemy as sa

from heartbeat.audit import formats, registry
from heartbeat.certificates.branding import LABELS as DESIGN_LABELS
from heartbeat.certificates.models import Certificate
from heartbeat.extensions import db
from heartbeat.jobs.models import Job, JobState

ACTIONS = {
    "certificate.issue": "Certificate issued",
    "certificate.revoke": "Certificate revoked",
    "branding.edit": "Certificate design changed",
    "print_batch.submit": "Print batch requested",
    "print_batch.finish": "Print batch printed",
    "print_batch.command": "Certificates printed from the command line",
    "signing_key.rotate": "Certificate signing key rotated",
    "certificate.renew": "Certificate renewed after a new sign-off",
}


def _ints(values: Collection[Any]) -> list[int]:
    return [value for value in values if isinstance(value, int) and not isinstance(value, bool)]


def certificate_names(ids: Collection[Any], ctx: formats.Context) -> Mapping[Any, str]:
    rows = db.session.execute(
        sa.select(
            Certificate.id, Certificate.serial, Certificate.participant_name, Certificate.title
        ).where(Certificate.id.in_(_ints(ids)))
    )
    return {row.id: f"{row.serial}, {row.participant_name}, {row.title}" for row in rows}


def batch_names(ids: Collection[Any], ctx: formats.Context) -> Mapping[Any, str]:
    rows = db.session.execute(
        sa.select(Job.id, Job.state, Job.created_at).where(Job.id.in_(_ints(ids)))
    )
    return {
        row.id: f"job {row.id} of {formats.local_time(row.created_at, ctx)}, "
        f"{JobState(row.state).label.lower()}"
        for row in rows
    }


def register() -> None:
    registry.actions(ACTIONS)
    registry.entity(
        "certificate",
        "Certificate",
        names=certificate_names,
        participant_column=Certificate.participant_id,
    )
    registry.entity("print_batch", "Print batch", names=batch_names)

    certificate = {
        "serial": ("Serial", formats.text),
        "title": ("Title", formats.text),
        "sha256": ("File fingerprint (SHA-256)", formats.text),
        "revoked_at": ("Revoked", formats.moment),
        "revoked_reason": ("Reason", formats.text),
        "renews": ("Renews", formats.text),
    }
    for name, (label, format) in certificate.items():
        registry.field(name, label, format, entity="certificate")
    registry.field("award_id", "Award", refers_to="award", entity="certificate")

    for name, label in DESIGN_LABELS.items():
        if name != "paper_size":  # the centre's own setting: declared with the centre
            registry.field(name, label, entity="centre")

    batch = {
        "selection": ("Which certificates", formats.text),
        "certificates": ("Certificates chosen", formats.number),
        "printed": ("Certificates printed", formats.number),
        "skipped_revoked": ("Left out (revoked since)", formats.number),
    }
    for name, (label, format) in batch.items():
        registry.field(name, label, format, entity="print_batch")
    for name in ("printed", "skipped_revoked"):
        label, format = batch[name]
        registry.field(name, label, format, entity="centre")
    registry.field("signing_key", "Signing key (new)", formats.text, entity="centre")
    registry.field("retired_key", "Signing key retired", formats.text, entity="centre")
    registry.field(
        "certificates_revoked", "Certificates revoked", formats.number, entity="participant"
    )
