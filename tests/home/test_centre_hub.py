"""The admin's Centre hub (/centre): one navigation link to every management page."""

from __future__ import annotations

import html
import re

import pytest

from heartbeat.home.navigation import CENTRE_LINKS, navigation_for
from tests.helpers import Auth

HUB_LINK = re.compile(r'<li class="hub-card">\s*<h2><a href="([^"]+)">([^<]+)</a></h2>')


def _hub_links(page: str) -> list[tuple[str, str]]:
    return [(href, html.unescape(label)) for href, label in HUB_LINK.findall(page)]


def test_the_hub_links_every_management_page_in_order(client, auth, world):
    auth.sign_in(world.a.admin.email)
    response = client.get("/centre")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _hub_links(page) == [
        ("/dashboard", "Dashboard"),
        ("/ladder", "Ladder"),
        ("/plans/templates", "Plan templates"),
        ("/centre/staff", "Staff"),
        ("/centre/settings", "Centre settings"),
        ("/centre/branding", "Branding"),
        ("/centre/safety-guidance", "Symptom guidance"),
        ("/centre/measures", "Outcome measures"),
        ("/audit", "Audit trail"),
        ("/jobs", "Jobs"),
        ("/centre/emails", "Emails"),
        ("/sessions/import", "Session CSV import"),
        ("/participants/import", "Participant import"),
    ]
    assert "<title>Centre: Centre ALPHA · Heartbeat Miles</title>" in page
    assert '<a href="/centre" aria-current="page">Centre</a>' in page


def test_every_hub_link_opens_for_the_admin(client, auth, world):
    auth.sign_in(world.a.admin.email)
    for href, label in _hub_links(client.get("/centre").get_data(as_text=True)):
        response = client.get(href)
        assert response.status_code == 200, (href, label)
        page = response.get_data(as_text=True)
        # The page belongs to the Centre section, with a way back to the hub.
        assert '<a href="/centre" aria-current="true">Centre</a>' in page, href
        assert '<nav class="breadcrumb" aria-label="Breadcrumb">' in page, href


def test_a_page_below_a_hub_page_has_the_whole_trail(client, auth, world):
    auth.sign_in(world.a.admin.email)
    page = client.get("/ladder/new").get_data(as_text=True)
    trail = re.search(r'<nav class="breadcrumb"[^>]*>(.*?)</nav>', page, re.S).group(1)
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', trail) == [
        ("/centre", "Centre"),
        ("/ladder", "Ladder"),
    ]


@pytest.mark.parametrize("who", ["therapist", "participant"])
def test_only_admins_open_the_hub(client, auth, world, who):
    auth.sign_in(getattr(world.a, who).email)
    assert client.get("/centre").status_code == 403


def test_the_operator_who_belongs_to_no_centre_gets_404(client, auth, world):
    auth.sign_in(world.operator.email)
    assert client.get("/centre").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/centre")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_the_hub_shows_the_admins_own_centre_only(app, world):
    other = Auth(app.test_client())
    other.login(world.b.admin.email)
    page = other.client.get("/centre").get_data(as_text=True)
    assert "Centre BRAVO" in page
    assert "Centre ALPHA" not in page


def test_therapists_see_no_breadcrumb_on_the_pages_they_share(client, auth, world):
    auth.sign_in(world.a.therapist.email)
    page = client.get("/participants/import").get_data(as_text=True)
    assert 'aria-label="Breadcrumb"' not in page
    assert '<a href="/participants" aria-current="true">Caseload</a>' in page


def test_no_role_gets_more_than_six_main_links(world):
    class Someone:
        is_authenticated = True

        def __init__(self, user):
            self.role, self.centre_id, self.is_operator = user.role, user.centre_id, False

    for user in (world.a.admin, world.a.therapist, world.a.participant):
        assert len(navigation_for(Someone(user))) <= 6
    assert {link.endpoint for link in CENTRE_LINKS} >= {"jobs.index", "training.csv_upload"}
