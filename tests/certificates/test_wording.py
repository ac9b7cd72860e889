"""A reason people typed is joined to the page's own words with one full stop, never two."""

from __future__ import annotations

import html

import pytest

from tests.helpers import signed_in


@pytest.mark.parametrize("reason", ["Issued to the wrong record.", "Issued to the wrong record"])
def test_a_revoke_reason_ends_with_one_full_stop(app, world, certs, reason):
    certificate_id = certs.issue(world.a, certs.achiever(world.a))
    client = signed_in(app, world.a.admin.email)
    client.post(f"/certificates/{certificate_id}/revoke", data={"reason": reason, "version": "1"})
    page = html.unescape(client.get(f"/certificates/{certificate_id}").get_data(as_text=True))
    assert ": Issued to the wrong record. Downloads are stamped REVOKED" in page
    assert "record.." not in page
