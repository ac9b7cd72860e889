"""The main navigation for each kind of user, the admin's Centre hub and the breadcrumb trail.

The main navigation stays short (at most six links) so it fits a phone without a menu button:
staff get their daily work (Home, Caseload, To verify, Certificates); admins one more link,
*Centre*, to a hub page that lists the centre's management pages. Every page belongs to one
section, so the section's link is marked current on its sub-pages too.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from heartbeat.auth.models import Role
from heartbeat.core.i18n import _l


class NavItem(NamedTuple):
    endpoint: str
    label: Any  # text, read in the reader's language (lazy)
    # Other pages that belong to this section: its link is marked current on them too.
    section: frozenset[str] = frozenset()

    def current(self, endpoint: str | None) -> str | None:
        """The ``aria-current`` value for this link on ``endpoint``, or None."""
        if endpoint == self.endpoint:
            return "page"
        if endpoint in self.section:
            return "true"
        return None


class HubLink(NamedTuple):
    endpoint: str
    label: Any  # text, read in the reader's language (lazy)
    description: Any
    # Pages reached from this one; their breadcrumb runs Centre › this page.
    children: frozenset[str] = frozenset()


# The admin's Centre hub, in the order it lists them.
CENTRE_LINKS: tuple[HubLink, ...] = (
    HubLink(
        "progress.dashboard",
        _l("Dashboard"),
        _l("This month at a glance: active participants, sessions, distance and milestones."),
    ),
    HubLink(
        "progress.ladder",
        _l("Ladder"),
        _l("The stages participants climb, from first push to marathon: add, reword, reorder."),
        frozenset(
            {
                "progress.add_stage",
                "progress.edit_stage",
                "progress.retire_stage",
                "progress.recompute",
            }
        ),
    ),
    HubLink(
        "plans.templates",
        _l("Plan templates"),
        _l("Blocks of planned weeks therapists assign: the defaults and your own, week by week."),
        frozenset(
            {
                "plans.template",
                "plans.new_template",
                "plans.edit_template",
                "plans.new_template_session",
                "plans.edit_template_session",
                "plans.delete_template_session",
            }
        ),
    ),
    HubLink(
        "admin.staff",
        _l("Staff"),
        _l("Therapists, coaches and admins: invite, deactivate, unlock."),
        frozenset({"admin.deactivate_user"}),
    ),
    HubLink(
        "admin.settings",
        _l("Centre settings"),
        _l("Name, time zone, units, paper size and whether participants may log sessions."),
    ),
    HubLink(
        "certificates.branding_settings",
        _l("Branding"),
        _l("How certificates look: logo, colours, signatory and paper, with a live preview."),
    ),
    HubLink(
        "safety.guidance",
        _l("Symptom guidance"),
        _l(
            "What people see when symptoms of autonomic dysreflexia are reported: your clinical"
            " lead's words."
        ),
    ),
    HubLink(
        "measures.manage",
        _l("Outcome measures"),
        _l("Questionnaires and checklists: WUSPI, wheelchair skills and your own; how often due."),
        frozenset({"measures.new_measure", "measures.edit_measure", "measures.delete"}),
    ),
    HubLink(
        "audit.index",
        _l("Audit trail"),
        _l("Every change to participant data: who, when, before and after."),
    ),
    HubLink(
        "jobs.index",
        _l("Jobs"),
        _l("Work running in the background, such as certificate batches and big imports."),
        frozenset({"jobs.status"}),
    ),
    HubLink(
        "admin.emails",
        _l("Emails"),
        _l("What the site has emailed lately, and whether it arrived at the mail server."),
    ),
    HubLink(
        "training.csv_upload",
        _l("Session CSV import"),
        _l("Many training sessions at once, for any participant, from a spreadsheet."),
    ),
    HubLink(
        "participants.import_csv",
        _l("Participant import"),
        _l("Enrol many participants at once from a spreadsheet."),
    ),
)

_CENTRE_SECTION = frozenset(
    {"home.centre_hub"}
    | {link.endpoint for link in CENTRE_LINKS}
    | {child for link in CENTRE_LINKS for child in link.children}
)
_CASELOAD_SECTION = frozenset(
    {
        "participants.enrol",
        "participants.profile",
        "participants.edit",
        "participants.consents",
        "participants.equipment",
        "participants.erase",
        "participants.invite",
        "participants.import_csv",
        "training.sessions",
        "training.session",
        "training.new_session",
        "training.edit_session",
        "training.delete_session",
        "safety.flag",
        "safety.participant_flags",
        "measures.participant_measures",
        "training.upload",
        "progress.sign_off_stage",
        "progress.withdraw_award",
        "plans.participant_plan",
        "plans.assign",
        "plans.new_planned",
        "plans.edit_planned",
        "plans.delete_planned",
        "plans.plan_status",
        "plans.unavailable",
        "plans.squads",
        "plans.new_squad",
        "plans.edit_squad",
        "plans.new_squad_session",
        "plans.templates",
        "plans.template",
    }
)
_VERIFY_SECTION = frozenset({"training.waiting"})
_CERTIFICATES_SECTION = frozenset(
    {"certificates.detail", "certificates.revoke", "certificates.print_batch"}
)
_ACCOUNT_SECTION = frozenset(
    {
        "auth.change_password",
        "auth.mfa_setup",
        "auth.mfa_disable",
        "auth.mfa_recovery_codes",
        "auth.email_choices",
        "auth.connections",
    }
)
_PORTAL_SECTION = frozenset(
    {
        "home.home",
        "training.self_report",
        "training.sessions",
        "training.session",
        "plans.my_plan",
        "plans.log_planned",
    }
)
_OPERATOR_SECTION = frozenset({"admin.operator_create_centre", "admin.operator_invite_admin"})


class Navigation(list):
    """The main navigation (a list of NavItem) plus what the layout asks of it."""

    def __init__(self, items: list[NavItem], *, admin: bool = False) -> None:
        super().__init__(items)
        self.admin = admin

    def trail(self, endpoint: str | None) -> list[tuple[str, Any]]:
        """Breadcrumb ancestors of ``endpoint`` as (endpoint, label): Centre pages only."""
        if not self.admin or endpoint is None or endpoint == "home.centre_hub":
            return []
        for link in CENTRE_LINKS:
            if endpoint == link.endpoint:
                return [("home.centre_hub", _l("Centre"))]
            if endpoint in link.children:
                return [("home.centre_hub", _l("Centre")), (link.endpoint, link.label)]
        return []


def navigation_for(user) -> Navigation:
    if not getattr(user, "is_authenticated", False):
        return Navigation([])
    items: list[NavItem] = []
    in_centre = user.centre_id is not None
    admin = user.role == Role.ADMIN and in_centre
    if user.role in (Role.THERAPIST, Role.ADMIN) and in_centre:
        caseload = _CASELOAD_SECTION - _CENTRE_SECTION if admin else _CASELOAD_SECTION
        items.append(NavItem("home.home", _l("Home")))
        items.append(NavItem("participants.caseload", _l("Caseload"), caseload))
        items.append(NavItem("progress.pending_awards", _l("To verify"), _VERIFY_SECTION))
        items.append(NavItem("certificates.register", _l("Certificates"), _CERTIFICATES_SECTION))
    if admin:
        items.append(NavItem("home.centre_hub", _l("Centre"), _CENTRE_SECTION))
    if user.role == Role.PARTICIPANT:
        items.append(NavItem("participants.portal", _l("My progress"), _PORTAL_SECTION))
    if user.is_operator:
        items.append(NavItem("admin.operator_centres", _l("All centres"), _OPERATOR_SECTION))
    items.append(NavItem("auth.account", _l("My account"), _ACCOUNT_SECTION))
    return Navigation(items, admin=admin)
