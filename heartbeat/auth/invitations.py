"""Showing a new invitation link once, by POST, redirect, GET (the pages: admin/invitations.py).

Every view that makes an invitation (an admin inviting staff, a therapist inviting a participant
to their portal, the operator inviting a centre's first admin) ends the same way: commit, email,
then ``show_new_link``, which keeps the link in this browser's session for the one page that
shows it and redirects there (POST, redirect, GET: reloading the page makes nothing new).

Only a digest of a link is stored, so a link cannot be shown again later, on another device or
after another invitation; ``renew`` gives the invitation a fresh link (and a fresh expiry) and
the old link stops working.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import redirect, session, url_for

from heartbeat.auth.services import IssuedInvite

SESSION_KEY = "invite_link"


def local_path(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def show_new_link(issued: IssuedInvite, *, back_url: str, emailed: bool):
    """After the commit: keep the link for this browser's "Invitation ready" page, go there."""
    session[SESSION_KEY] = {
        "id": issued.invite.id,
        "token": issued.token,
        "back": local_path(back_url),
        "emailed": emailed,
    }
    return redirect(url_for("admin.invite_ready", invite_id=issued.invite.id))
