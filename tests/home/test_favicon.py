"""Every page has an icon, and /favicon.ico answers (issue 14, item 16)."""

from __future__ import annotations

from pathlib import Path

import heartbeat


def test_favicon_ico_answers_with_the_icon_for_anyone(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response.mimetype == "image/vnd.microsoft.icon"
    assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert "Set-Cookie" not in response.headers


def test_every_page_links_the_icon_and_the_linked_svg_exists(client):
    page = client.get("/login").get_data(as_text=True)

    assert '<link rel="icon" href="/favicon.ico"' in page
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    assert client.get("/static/favicon.svg").status_code == 200
    svg = (Path(heartbeat.__file__).parent / "static" / "favicon.svg").read_text()
    assert svg.startswith("<svg") and "<script" not in svg
