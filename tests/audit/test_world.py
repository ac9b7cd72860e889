"""A centre where everything audited has happened: every field has a human name, every value
reads in words and units, every record is named, and the page never shows a code."""

from __future__ import annotations

import html as html_lib
import re

import sqlalchemy as sa

from heartbeat.audit import registry
from heartbeat.audit.models import AuditEvent
from heartbeat.extensions import db
from tests.audit import world as full
from tests.helpers import signed_in


def _cells(html: str, label: str) -> list[str]:
    found = re.findall(rf'<t[dh][^>]*data-label="{label}"[^>]*>(.*?)</t[dh]>', html, re.S)
    return [html_lib.unescape(re.sub(r"<[^>]+>", " ", cell)).strip() for cell in found]


def test_every_field_and_action_of_a_full_centre_reads_in_words(app, world, tmp_path):
    full.build(app, world, tmp_path)
    with app.app_context():
        events = db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.centre_id == world.a.centre.id)
            .execution_options(all_centres=True)
        ).all()
        recorded = {(event.entity_type, name) for event in events for name in event.changes}
        actions = {event.action for event in events}
        entity_types = {event.entity_type for event in events}

    unnamed = sorted(pair for pair in recorded if registry.field_for(*pair) is None)
    assert unnamed == [], "give these fields a label in the feature's auditing.register()"
    # The world covers every action there is, so a new one cannot skip this test.
    assert sorted(set(registry.action_labels()) - actions) == []
    assert sorted(entity_types - set(registry.entity_types())) == []

    app.config["HEARTBEAT_PAGE_SIZE"] = 500
    html = signed_in(app, world.a.admin.email).get("/audit").get_data(as_text=True)
    assert len(_cells(html, "What")) == len(events)
    labels = re.findall(r"<dt>([^<]*)</dt>", html)
    assert labels and not [label for label in labels if "_" in label or label != label.strip()]
    values = " ".join(re.findall(r"<dd>(.*?)</dd>", html, re.S))
    # No ISO times, no microseconds, no raw metres.
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", values)
    assert not re.search(r"\d\d:\d\d:\d\d\.\d+", values)
    assert "10500" not in values and "10,500" not in values
    # Codes stored in lists read as words too (a red flag's symptoms, as the checklist says them).
    assert "Pounding headache" in values and "headache, flushing" not in values
    assert "no longer on record" not in html
    for record in _cells(html, "Record"):
        assert ": " in record, record  # "Session: Ada Lovelace, 1 May 2025"
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", record), record
    for what in _cells(html, "What"):
        assert "." not in what and "_" not in what, what
