"""What the certificates feature writes in the audit trail, in words: certificates named by
serial and name, print batches, and the fields of the certificate design."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import sqlalchemy as sa

from heartbeat.audit import formats, registry
from heartbeat.certificates.branding import LABELS as DESIGN_LABELS
from heartbeat.certificates.models import Certificate
from heartbeat.core.i18n import _, _l
from heartbeat.extensions import db
from heartbeat.jobs.models import Job, JobState

ACTIONS = {
    "certificate.issue": _l("Certificate issued"),
    "certificate.revoke": _l("Certificate revoked"),
    "branding.edit": _l("Certificate design changed"),
    "print_batch.submit": _l("Print batch requested"),
    "print_batch.finish": _l("Print batch printed"),
    "print_batch.command": _l("Certificates printed from the command line"),
    "signing_key.rotate": _l("Certificate signing key rotated"),
    "certificate.renew": _l("Certificate renewed after a new sign-off"),
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
        row.id: _(
            "job %(id)s of %(when)s, %(state)s",
            id=row.id,
            when=formats.local_time(row.created_at, ctx),
            state=JobState(row.state).label.lower(),
        )
        for row in rows
    }


def register() -> None:
    registry.actions(ACTIONS)
    registry.entity(
        "certificate",
        _l("Certificate"),
        names=certificate_names,
        participant_column=Certificate.participant_id,
    )
    registry.entity("print_batch", _l("Print batch"), names=batch_names)

    certificate = {
        "serial": (_l("Serial"), formats.text),
        "title": (_l("Title"), formats.text),
        "sha256": (_l("File fingerprint (SHA-256)"), formats.text),
        "revoked_at": (_l("Revoked"), formats.moment),
        "revoked_reason": (_l("Reason"), formats.text),
        "renews": (_l("Renews"), formats.text),
    }
    for name, (label, format) in certificate.items():
        registry.field(name, label, format, entity="certificate")
    registry.field("award_id", _l("Award"), refers_to="award", entity="certificate")

    for name, label in DESIGN_LABELS.items():
        if name != "paper_size":  # the centre's own setting: declared with the centre
            registry.field(name, label, entity="centre")

    batch = {
        "selection": (_l("Which certificates"), formats.text),
        "certificates": (_l("Certificates chosen"), formats.number),
        "printed": (_l("Certificates printed"), formats.number),
        "skipped_revoked": (_l("Left out (revoked since)"), formats.number),
    }
    for name, (label, format) in batch.items():
        registry.field(name, label, format, entity="print_batch")
    for name in ("printed", "skipped_revoked"):
        label, format = batch[name]
        registry.field(name, label, format, entity="centre")
    registry.field("signing_key", _l("Signing key (new)"), formats.text, entity="centre")
    registry.field("retired_key", _l("Signing key retired"), formats.text, entity="centre")
    registry.field(
        "certificates_revoked", _l("Certificates revoked"), formats.number, entity="participant"
    )
