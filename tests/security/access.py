"""The declared access policy of every endpoint, as the access-control matrix test checks it.

Every endpoint in the app's URL map must appear in ``ENDPOINTS``; a route added without a line
here fails ``test_every_endpoint_is_declared``, so nothing new slips through unexamined.

Each role's answer is a word, read for the object the URL names (its *centre*: the actor's own or
the other one; its *record*: the actor's own — their participant record, their own account — or
someone else's in that centre):

- ``ok``: allowed (anything but 403, 404, a sign-in redirect or a 5xx)
- ``login``: 302 to the sign-in page
- ``403`` / ``404``: refused with that status wherever it points
- ``centre``: allowed in the actor's centre; 404 for the other centre's object
- ``self``: allowed on the actor's own record; 404 for anyone else's (a participant learns
  nothing about other records, not even that they exist)
- ``403/centre``: 403 in the actor's centre, 404 in the other
- ``403/self``: 403 on the actor's own record, 404 on anyone else's
- ``others``: allowed on other accounts of the actor's centre, 403 on the actor's own (an admin
  never deactivates themself), 404 in the other centre
- ``signout``: 302 to the sign-in page is the endpoint's own answer (signing out)
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("anonymous", "participant", "therapist", "admin", "operator")
ALLOWED = frozenset({"ok", "signout"})


@dataclass(frozen=True)
class Access:
    participant: str
    therapist: str
    admin: str
    operator: str
    anonymous: str = "login"
    public: bool = False  # reachable without signing in, on purpose

    def rule(self, role: str) -> str:
        return getattr(self, role)


def expected(rule: str, centre: str, record: str) -> str:
    """The answer a rule word gives for an object in ``centre`` ("own"/"other") owned by
    ``record`` ("own"/"another")."""
    own_centre = centre == "own"
    if rule in ("ok", "login", "403", "404", "signout"):
        return rule
    if rule == "centre":
        return "ok" if own_centre else "404"
    if rule == "self":
        return "ok" if own_centre and record == "own" else "404"
    if rule == "403/centre":
        return "403" if own_centre else "404"
    if rule == "403/self":
        return "403" if own_centre and record == "own" else "404"
    if rule == "others":
        if not own_centre:
            return "404"
        return "403" if record == "own" else "ok"
    raise ValueError(f"unknown rule {rule!r}")


PUBLIC = Access("ok", "ok", "ok", "ok", anonymous="ok", public=True)
SIGNED_IN = Access("ok", "ok", "ok", "ok")
STAFF = Access("403", "ok", "ok", "404")
ADMIN = Access("403", "403", "ok", "404")
# Centre pages whose operator answer is 403 (the operator has the admin role but no centre).
STAFF_403_OPERATOR = Access("403", "ok", "ok", "403")
OPERATOR = Access("403", "403", "403", "ok")
# A participant's record and the rows hanging off it.
READ_RECORD = Access("self", "centre", "centre", "404")
STAFF_RECORD = Access("403/self", "centre", "centre", "404")
ADMIN_RECORD = Access("403/self", "403/centre", "centre", "404")
# Centre objects that are not a participant's (stages, invites, certificates' admin pages).
STAFF_OBJECT = Access("403", "centre", "centre", "404")
ADMIN_OBJECT = Access("403", "403", "centre", "404")

ENDPOINTS: dict[str, Access] = {
    # core
    "home.index": SIGNED_IN,
    "home.home": SIGNED_IN,
    "home.healthz": PUBLIC,
    "home.favicon": PUBLIC,
    "home.centre_hub": ADMIN,
    "static": PUBLIC,
    # auth: the sign-in pages are public; the second step without a first goes back to sign in
    "auth.login": PUBLIC,
    "auth.login_second_factor": Access(
        "login", "login", "login", "login", anonymous="login", public=True
    ),
    "auth.accept_invite": PUBLIC,
    "auth.logout": Access("signout", "signout", "signout", "signout"),
    # GET asks for confirmation; the POST signs every device out (the fuzzer sends it).
    "auth.sign_out_everywhere": SIGNED_IN,
    "auth.account": SIGNED_IN,
    "auth.email_choices": SIGNED_IN,
    "auth.connections": SIGNED_IN,
    "auth.change_password": SIGNED_IN,
    "auth.mfa_setup": SIGNED_IN,
    "auth.mfa_disable": SIGNED_IN,
    "auth.mfa_recovery_codes": SIGNED_IN,
    "auth.keep_alive": SIGNED_IN,
    "auth.create_token": SIGNED_IN,
    "auth.revoke_token": SIGNED_IN,  # names no token here: back to the account page
    "auth.units": SIGNED_IN,  # each person's own distance units
    "auth.language": SIGNED_IN,  # each person's own language
    # forgotten passwords: the link is the authority (a signed-in visitor stays signed in)
    "auth.forgot_password": PUBLIC,
    "auth.reset_password": PUBLIC,
    # email: one-click unsubscribe is the link's own authority; choices are each person's own
    "outbox.unsubscribe": PUBLIC,
    "outbox.preferences": SIGNED_IN,
    # the API's document and its reading page; the API itself has its own matrix
    # (tests/api/test_access_matrix.py), since tokens, not cookies, open it
    "api_docs.openapi_json": PUBLIC,
    "api_docs.docs": PUBLIC,
    # centres
    "admin.settings": ADMIN,
    "admin.staff": ADMIN,
    "admin.invite_staff": ADMIN,
    "admin.revoke_invite": ADMIN_OBJECT,
    # The world's invitation was made by the admin: therapists manage only their own; the
    # operator, every centre's.
    "admin.invite_ready": Access("403/centre", "403/centre", "centre", "ok"),
    "admin.renew_invite": Access("403/centre", "403/centre", "centre", "ok"),
    "admin.deactivate_user": Access("403", "403", "others", "404"),
    "admin.reactivate_user": Access("403", "403", "others", "404"),
    "admin.unlock_user": Access("403", "403", "others", "404"),
    "admin.reset_link": Access("403", "403", "others", "404"),
    "admin.emails": ADMIN,
    "admin.retry_email": ADMIN_OBJECT,
    "admin.operator_centres": OPERATOR,
    "admin.operator_create_centre": OPERATOR,
    # The operator invites the first admin of any centre: "own" and "other" alike.
    "admin.operator_invite_admin": OPERATOR,
    # audit
    "audit.index": ADMIN,
    # participants
    "participants.portal": SIGNED_IN,  # staff are sent on to their own start page
    "participants.portal_about": SIGNED_IN,
    # their own data as a ZIP: participants only (staff make subject-access exports)
    "participants.own_export_download": Access("ok", "403", "403", "403"),
    "progress.my_progress": SIGNED_IN,
    "certificates.my_certificates": SIGNED_IN,
    "training.my_sessions": SIGNED_IN,
    "participants.caseload": STAFF,
    "participants.enrol": STAFF_403_OPERATOR,
    "participants.import_csv": STAFF_403_OPERATOR,
    "participants.import_template": STAFF_403_OPERATOR,
    "participants.export_caseload": STAFF_403_OPERATOR,
    "participants.profile": READ_RECORD,
    "participants.records": READ_RECORD,
    "participants.edit": STAFF_RECORD,
    "participants.consents": STAFF_RECORD,
    "participants.classification": STAFF_RECORD,
    "participants.equipment": STAFF_RECORD,
    "participants.invite": STAFF_RECORD,
    "participants.add_note": STAFF_RECORD,
    "participants.change_status": STAFF_RECORD,
    "participants.erase": ADMIN_RECORD,
    "participants.subject_access_export": ADMIN_RECORD,
    # training
    "training.sessions": READ_RECORD,
    "training.session": READ_RECORD,
    "training.original_file": READ_RECORD,
    "training.new_session": Access("403", "centre", "centre", "404"),
    "training.upload": STAFF_RECORD,
    "training.verify": STAFF_RECORD,
    "training.edit_session": STAFF_RECORD,
    "training.delete_session": STAFF_RECORD,
    "training.self_report": Access("ok", "403", "403", "403"),  # centre A allows it
    "training.csv_upload": STAFF_403_OPERATOR,
    "training.csv_template": STAFF_403_OPERATOR,
    "training.waiting": STAFF_403_OPERATOR,
    # progress
    "progress.pending_awards": STAFF,
    "progress.dashboard": ADMIN,
    "progress.ladder": ADMIN,
    "progress.add_stage": ADMIN,
    "progress.recompute": ADMIN,
    "progress.edit_stage": ADMIN_OBJECT,
    "progress.move_stage": ADMIN_OBJECT,
    "progress.retire_stage": ADMIN_OBJECT,
    "progress.restore_stage": ADMIN_OBJECT,
    "progress.verify": STAFF_OBJECT,
    "progress.confirm_award": STAFF_OBJECT,
    "progress.confirm_history": STAFF_OBJECT,
    "progress.withdraw_award": STAFF_OBJECT,
    "progress.sign_off_stage": STAFF_OBJECT,
    "progress.participant_progress": STAFF_OBJECT,
    # certificates
    "certificates.register": STAFF,
    "certificates.detail": STAFF_OBJECT,
    "certificates.participant_certificates": STAFF_OBJECT,
    "certificates.download": READ_RECORD,
    "certificates.issue": Access("404", "centre", "centre", "404"),
    "certificates.revoke": ADMIN_OBJECT,
    "certificates.renew": STAFF_OBJECT,
    "certificates.print_batch": ADMIN,
    "certificates.branding_settings": ADMIN,
    "certificates.branding_preview": ADMIN,
    "certificates.verify_form": PUBLIC,
    "certificates.verify": PUBLIC,
    "certificates.credential": PUBLIC,
    "certificates.issuer": PUBLIC,
    "certificates.jwks": PUBLIC,
    "certificates.did_document": PUBLIC,
    "certificates.achievement": PUBLIC,
    "certificates.status_list": PUBLIC,
    "certificates.check_credential": PUBLIC,
    # clinical safety: a red flag is a row of the participant's record; acknowledging it is staff's
    "safety.flag": READ_RECORD,
    "safety.participant_flags": Access("403", "centre", "centre", "404"),
    "safety.guidance": ADMIN,
    # outcome measures: a response is a row of the participant's record
    "measures.participant_measures": Access("403", "centre", "centre", "404"),
    "measures.my_measures": SIGNED_IN,
    "measures.start": Access("self", "centre", "centre", "404"),
    "measures.question": READ_RECORD,
    "measures.review": READ_RECORD,
    "measures.result": READ_RECORD,
    "measures.manage": ADMIN,
    "measures.new_measure": ADMIN,
    "measures.edit_measure": ADMIN_OBJECT,
    "measures.retire": ADMIN_OBJECT,
    "measures.delete": ADMIN_OBJECT,
    # training plans: the library is staff's to read and admins' to edit; a plan hangs off the
    # participant's record; planned-session pages are staff's (a participant is sent to /me/plan)
    "plans.templates": STAFF_403_OPERATOR,
    "plans.add_default_templates": Access("403", "403", "ok", "403"),
    "plans.template": STAFF_OBJECT,
    "plans.new_template": Access("403", "403", "ok", "403"),
    "plans.edit_template": ADMIN_OBJECT,
    "plans.new_template_session": ADMIN_OBJECT,
    "plans.edit_template_session": ADMIN_OBJECT,
    "plans.delete_template_session": ADMIN_OBJECT,
    "plans.retire_template": ADMIN_OBJECT,
    "plans.restore_template": ADMIN_OBJECT,
    "plans.copy_plan": ADMIN_OBJECT,
    "plans.participant_plan": READ_RECORD,
    "plans.assign": Access("403", "centre", "centre", "404"),
    "plans.new_planned": Access("403", "centre", "centre", "404"),
    "plans.edit_planned": Access("403", "centre", "centre", "404"),
    "plans.delete_planned": Access("403", "centre", "centre", "404"),
    "plans.plan_status": Access("403", "centre", "centre", "404"),
    "plans.unavailable": Access("403", "centre", "centre", "404"),
    "plans.clear_unavailable": Access("403", "centre", "centre", "404"),
    "plans.my_plan": SIGNED_IN,
    "plans.log_planned": Access("self", "403", "403", "403"),  # centre A allows self-reports
    "plans.squads": STAFF_403_OPERATOR,
    "plans.new_squad": STAFF_403_OPERATOR,
    "plans.edit_squad": STAFF_OBJECT,
    "plans.delete_squad": STAFF_OBJECT,
    "plans.plan_squad_session": STAFF_OBJECT,
    "plans.cancel_planned_squad": STAFF_OBJECT,
    "plans.new_squad_session": STAFF_403_OPERATOR,
    # each person's own calendar address; the feed itself answers to its token alone (the
    # world's token here is an invitation's: no feed has it)
    "plans.make_feed": Access("ok", "ok", "ok", "403"),
    "plans.revoke_feed": Access("ok", "ok", "ok", "403"),
    "plans.calendar_feed": Access("404", "404", "404", "404", anonymous="404", public=True),
    # jobs
    "jobs.index": STAFF,
    "jobs.status": Access("403/centre", "centre", "centre", "404"),
    "jobs.status_json": Access("403/centre", "centre", "centre", "404"),
    "jobs.result": Access("403/centre", "centre", "centre", "404"),
    "jobs.retry": Access("403/centre", "centre", "centre", "404"),
}

# Endpoints whose allowed answer ends the browser's session (so each case signs in afresh).
ENDS_SESSION = frozenset({"auth.logout", "auth.accept_invite"})
# Endpoints whose GET is an ordinary page but whose POST signs the browser out.
SIGNS_OUT_ON_POST = frozenset({"auth.sign_out_everywhere"})
