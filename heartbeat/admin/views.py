from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3, stubs 3.2

from heartbeat.admin import invitations
from heartbeat.admin.activity import ACTIVITY_DAYS, centre_activity
from heartbeat.admin.forms import CentreSettingsForm, CreateCentreForm
from heartbeat.auth import services as account_services
from heartbeat.auth.forms import InviteForm
from heartbeat.auth.invitations import show_new_link
from heartbeat.auth.models import Invite, Role, User
from heartbeat.centres import services
from heartbeat.centres.models import Centre
from heartbeat.core.i18n import _
from heartbeat.core.public_url import public_url_for
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.mail import mail_configured
from heartbeat.permissions import admin_required, operator_required, require

bp = Blueprint("admin", __name__, template_folder="templates")
invitations.register(bp)


def _own_centre() -> Centre:
    if current_user.centre_id is None:  # a platform operator belongs to no centre
        abort(404)
    centre = db.session.get(Centre, current_user.centre_id)
    if centre is None:
        abort(404)
    return centre


def _page_size() -> int:
    return current_app.config["HEARTBEAT_PAGE_SIZE"]


def _staff_page(centre: Centre):
    stmt = (
        sa.select(User)
        .where(User.role.in_([Role.ADMIN, Role.THERAPIST]))
        .order_by(User.active.desc(), User.name, User.id)
    )
    return db.paginate(stmt, per_page=_page_size(), error_out=False)


def _pending_invites():
    stmt = (
        sa.select(Invite)
        .where(Invite.pending_at(utcnow()))
        .order_by(Invite.created_at.desc())
        .limit(100)
    )
    return db.session.scalars(stmt).all()


def _render_staff(
    centre: Centre, form: InviteForm, status: int = 200, existing: Invite | None = None
):
    return (
        render_template(
            "admin/staff.html",
            centre=centre,
            page=_staff_page(centre),
            invites=_pending_invites(),
            form=form,
            now=utcnow(),
            existing=existing,
            mail_configured=mail_configured(),
        ),
        status,
    )


@bp.get("/centre/staff")
@admin_required
def staff():
    centre = _own_centre()
    require("staff.list", centre)
    return _render_staff(centre, InviteForm())


@bp.post("/centre/staff/invite")
@admin_required
def invite_staff():
    centre = _own_centre()
    require("staff.invite", centre)
    form = InviteForm()
    if not form.validate_on_submit():
        return _render_staff(centre, form, 422)
    role = Role(form.role.data)
    require("invite.role", role)
    try:
        issued = account_services.create_invite(
            centre=centre,
            inviter=current_user._get_current_object(),
            email=form.email.data,
            name=form.name.data,
            role=role,
            now=utcnow(),
        )
    except account_services.InviteAlreadyPending as error:
        form.email.errors.append(str(error))
        return _render_staff(centre, form, 422, existing=error.invite)
    except account_services.AccountError as error:
        form.email.errors.append(str(error))
        return _render_staff(centre, form, 422)
    link = public_url_for("auth.accept_invite", token=issued.token)
    emailed = account_services.queue_invitation(
        issued,
        link=link,
        subject=_("Your invitation to %(centre)s on Heartbeat Miles", centre=centre.name),
        inviter=current_user.name,
    )
    db.session.commit()
    return show_new_link(issued, back_url=url_for("admin.staff"), emailed=emailed)


def _staff_member(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.centre_id != current_user.centre_id:
        abort(404)
    return user


@bp.route("/centre/users/<int:user_id>/deactivate", methods=["GET", "POST"])
@admin_required
def deactivate_user(user_id: int):
    user = _staff_member(user_id)
    require("user.deactivate", user)
    if request.method == "GET":
        return render_template("admin/confirm_deactivate.html", user=user)
    account_services.set_active(user, False)
    db.session.commit()
    flash(
        _("%(name)s can no longer sign in; their open sessions have ended.", name=user.name),
        "success",
    )
    return redirect(url_for("admin.staff"))


@bp.post("/centre/users/<int:user_id>/reactivate")
@admin_required
def reactivate_user(user_id: int):
    user = _staff_member(user_id)
    require("user.reactivate", user)
    account_services.set_active(user, True)
    db.session.commit()
    flash(_("%(name)s can sign in again.", name=user.name), "success")
    return redirect(url_for("admin.staff"))


@bp.post("/centre/users/<int:user_id>/unlock")
@admin_required
def unlock_user(user_id: int):
    user = _staff_member(user_id)
    require("user.unlock", user)
    account_services.unlock(user)
    db.session.commit()
    flash(_("%(name)s's account is unlocked.", name=user.name), "success")
    return redirect(url_for("admin.staff"))


@bp.post("/centre/invites/<int:invite_id>/revoke")
@admin_required
def revoke_invite(invite_id: int):
    invite = db.get_or_404(Invite, invite_id)
    require("invite.revoke", invite)
    try:
        account_services.revoke_invite(invite, utcnow(), actor=current_user._get_current_object())
    except account_services.AccountError as error:
        flash(str(error), "error")
        return redirect(url_for("admin.staff"))
    db.session.commit()
    flash(_("The invitation to %(email)s was withdrawn.", email=invite.email), "success")
    return redirect(url_for("admin.staff"))


@bp.route("/centre/settings", methods=["GET", "POST"])
@admin_required
def settings():
    centre = _own_centre()
    require("centre.edit_settings", centre)
    form = CentreSettingsForm(
        obj=centre if request.method == "GET" else None, keep_timezone=centre.timezone
    )
    if request.method == "GET":
        form.units.data = centre.units.value
        form.paper_size.data = centre.paper_size.value
    if form.validate_on_submit():
        try:
            services.update_settings(
                centre,
                name=form.name.data,
                timezone=form.timezone.data,
                country=form.country.data,
                units=form.units.data,
                paper_size=form.paper_size.data,
                allow_self_report=form.allow_self_report.data,
                language=form.language.data,
            )
        except services.CentreError as error:
            form.name.errors.append(str(error))
            return render_template("admin/settings.html", form=form, centre=centre), 422
        db.session.commit()
        flash(_("Centre settings saved."), "success")
        return redirect(url_for("admin.settings"))
    status = 422 if form.is_submitted() else 200
    return render_template("admin/settings.html", form=form, centre=centre), status


# --- the platform operator: the only screens that read across centres ---------------------------


@bp.get("/operator/centres")
@operator_required
def operator_centres():
    require("centre.list_all")
    stmt = sa.select(Centre).order_by(Centre.name, Centre.id).execution_options(all_centres=True)
    page = db.paginate(stmt, per_page=_page_size(), error_out=False)
    centre_ids = [centre.id for centre in page.items]
    return render_template(
        "admin/operator_centres.html",
        page=page,
        activity=centre_activity(centre_ids, utcnow()),
        activity_days=ACTIVITY_DAYS,
    )


@bp.route("/operator/centres/new", methods=["GET", "POST"])
@operator_required
def operator_create_centre():
    require("centre.create")
    form = CreateCentreForm()
    if request.method == "GET":
        form.timezone.data = "Europe/London"
        form.country.data = "GB"
    if form.validate_on_submit():
        try:
            centre = services.create_centre(
                name=form.name.data,
                slug=form.slug.data or "",
                timezone=form.timezone.data,
                country=form.country.data,
                units=form.units.data,
                paper_size=form.paper_size.data,
                language=form.language.data,
            )
        except services.CentreError as error:
            form.slug.errors.append(str(error))
            return render_template("admin/create_centre.html", form=form), 422
        db.session.commit()
        flash(
            _(
                "Centre %(name)s created; its short name for links is %(slug)s.",
                name=centre.name,
                slug=centre.slug,
            ),
            "success",
        )
        return redirect(url_for("admin.operator_centres"))
    status = 422 if form.is_submitted() else 200
    return render_template("admin/create_centre.html", form=form), status


@bp.route("/operator/centres/<int:centre_id>/invite", methods=["GET", "POST"])
@operator_required
def operator_invite_admin(centre_id: int):
    require("centre.create")
    centre = db.get_or_404(Centre, centre_id)
    form = InviteForm()
    form.role.choices = [SelectChoice(Role.ADMIN.value, _("Centre admin"))]
    if form.validate_on_submit():
        try:
            issued = account_services.create_invite(
                centre=centre,
                inviter=current_user._get_current_object(),
                email=form.email.data or "",  # required fields of a validated form
                name=form.name.data or "",
                role=Role.ADMIN,
                now=utcnow(),
            )
        except account_services.AccountError as error:
            form.email.errors = [*form.email.errors, str(error)]
            existing = getattr(error, "invite", None)
            return render_template(
                "admin/operator_invite.html", form=form, centre=centre, existing=existing
            ), 422
        link = public_url_for("auth.accept_invite", token=issued.token)
        emailed = account_services.queue_invitation(
            issued,
            link=link,
            subject=_("Your invitation to run %(centre)s on Heartbeat Miles", centre=centre.name),
            inviter=current_user.name,
            role=_("its administrator"),
        )
        db.session.commit()
        return show_new_link(issued, back_url=url_for("admin.operator_centres"), emailed=emailed)
    status = 422 if form.is_submitted() else 200
    return render_template("admin/operator_invite.html", form=form, centre=centre), status


# Pages registered on this blueprint from modules of their own (imported last: they use bp).
from heartbeat.admin import emails as _emails  # noqa: E402, F401
