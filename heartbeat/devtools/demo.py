"""The demo centre: realistic enough to click through, and idempotent to build.

Staff, ~30 participants spread over every stage of the ladder (with consents, chairs, notes and
months of sessions), awards made by the milestone engine and mostly verified, and certificates
once that feature is present. Running it again tops up what is missing and changes nothing else.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from heartbeat.auth import services as account_services
from heartbeat.auth.models import Invite, Role, User
from heartbeat.centres import services as centre_services
from heartbeat.centres.models import Centre, Units
from heartbeat.db import utcnow
from heartbeat.devtools.clinical_demo import seed_measures, seed_red_flags
from heartbeat.devtools.demo_addresses import move_demo_certificates
from heartbeat.devtools.demo_emails import seed_emails
from heartbeat.devtools.demofiles import track_gpx
from heartbeat.devtools.pathway_demo import seed_pathway
from heartbeat.devtools.plans_demo import seed_plans
from heartbeat.extensions import db
from heartbeat.participants import services as participant_services
from heartbeat.participants.models import ConsentKind, Participant
from heartbeat.progress import services as progress_services
from heartbeat.progress.models import Award, CriterionKind
from heartbeat.training.imports import import_activity
from heartbeat.training.models import PainSite, SessionKind, SessionSource, TrainingSession

DEMO_SLUG = "demo"
DEMO_PASSWORD = "push-the-rims-2026"  # noqa: S105 - published on purpose, demo data only

DEMO_ACCOUNTS = [
    ("operator@heartbeat.example", "Olu Operator", Role.ADMIN, True),
    ("admin@riverside.example", "Alex Admin", Role.ADMIN, False),
    ("therapist@riverside.example", "Theo Therapist", Role.THERAPIST, False),
    ("coach@riverside.example", "Cara Coach", Role.THERAPIST, False),
    ("participant@riverside.example", "Pat Participant", Role.PARTICIPANT, False),
]
# The centre counts in kilometres and speaks English; its coach, who learnt the sport in Spain,
# reads miles and Spanish (My account: "Distances", "Language") on every page, chart and form.
DEMO_COACH = "coach@riverside.example"

# (given, family, preferred, impairment, SCI level, class, stages reached, public name consent)
# "Stages reached" is how far up the default ladder (0-9) their sessions and sign-offs take them.
DEMO_PEOPLE = [
    ("Patricia", "Okafor", "Pat", "sci", "T10", "T54", 7, True),
    ("Zoë", "Ødegård-Nakamura", None, "sci", "C7", "T52", 5, True),
    ("Łukasz", "Brzęczyszczykiewicz", None, "amputation", None, "T54", 9, True),
    ("Amara", "Nwosu", None, "spina_bifida", None, "T53", 8, False),
    ("Dev", "Patel", None, "cerebral_palsy", None, "T34", 6, True),
    ("Eilidh", "MacLeod", None, "sci", "T4", "T53", 4, False),
    ("Femi", "Adeyemi", None, "sci", "C6", "T51", 3, True),
    ("Grace", "Hopper-Lee", "Gracie", "amputation", None, "T54", 9, True),
    ("Hiro", "Tanaka", None, "sci", "L1", "T54", 2, True),
    ("Inès", "Moreau", None, "other", None, "unclassified", 1, False),
    ("Jonas", "Fischer", None, "sci", "T12", "T54", 6, True),
    ("Kofi", "Mensah", None, "cerebral_palsy", None, "T33", 2, True),
    ("Lena", "Kowalski", None, "spina_bifida", None, "T53", 5, True),
    ("Mateo", "García", None, "sci", "T6", "T53", 4, False),
    ("Nia", "Roberts", None, "amputation", None, "T54", 7, True),
    ("Omar", "Haddad", None, "sci", "C8", "T52", 3, True),
    ("Priya", "Sharma", None, "other", None, "unclassified", 0, False),
    ("Quinn", "O'Brien", None, "sci", "T8", "T54", 8, True),
    ("Rosa", "Silva", None, "cerebral_palsy", None, "T34", 1, True),
    ("Sami", "Virtanen", None, "sci", "T2", "T53", 5, True),
    ("Tomasz", "Nowak", None, "amputation", None, "T54", 6, False),
    ("Uma", "Reddy", None, "spina_bifida", None, "T53", 2, True),
    ("Viktor", "Horvath", "Vik", "sci", "T11", "T54", 9, True),
    ("Wen", "Zhang", None, "sci", "C5", "T51", 1, True),
    ("Xavi", "Puig", None, "other", None, "unclassified", 0, True),
    ("Yara", "Haddad", None, "amputation", None, "T54", 4, True),
    ("Aoife", "Byrne", None, "sci", "T9", "T54", 3, True),
    ("Ben", "Carter", None, "cerebral_palsy", None, "T34", 5, False),
    ("Chloé", "Dubois", None, "sci", "L2", "T54", 7, True),
    ("Dmitri", "Ivanov", None, "spina_bifida", None, "T53", 6, True),
]
# People who write their family name first (their certificates print it first).
FAMILY_NAME_FIRST = frozenset({"Zhang"})
# The longest push each level manages: a little past the stage they have reached.
LEVEL_BEST_M = (70, 150, 180, 450, 1700, 5200, 10400, 21500, 42500, 43000)
CHAIRS = ("Draft Hurricane", "Top End Eliminator", "Carbonbike Strike", "Invacare Sprint")


def seed_demo(today: date | None = None) -> list[tuple[str, str]]:
    today = today or date.today()
    centre = centre_services.find_centre_by_slug(DEMO_SLUG)
    if centre is None:
        centre = centre_services.create_centre(
            name="Riverside Rehab",
            slug=DEMO_SLUG,
            timezone="Europe/London",
            country="GB",
            units="km",
            paper_size="A4",
        )
    centre.allow_self_report = True
    logins = []
    users: dict[str, User] = {}
    for email, name, role, is_operator in DEMO_ACCOUNTS:
        user = account_services.find_user_by_email(email)
        if user is None:
            user = account_services.create_user(
                email=email,
                name=name,
                role=role,
                centre=None if is_operator else centre,
                password=DEMO_PASSWORD,
                is_operator=is_operator,
            )
            if email == DEMO_COACH:
                user.units, user.language = Units.MI, "es"
        users[email] = user
        logins.append(("operator" if is_operator else role.value, email))
    _seed_participants(
        centre,
        therapists=[users["therapist@riverside.example"], users["coach@riverside.example"]],
        portal_user=users["participant@riverside.example"],
        today=today,
    )
    seed_red_flags(centre, therapist=users["therapist@riverside.example"], today=today)
    seed_measures(centre, therapist=users["therapist@riverside.example"], today=today)
    seed_pathway(centre, therapist=users["therapist@riverside.example"], today=today)
    _seed_certificates(centre, admin=users["admin@riverside.example"])
    _seed_invitation(centre, admin=users["admin@riverside.example"])
    seed_emails(centre, users)
    seed_plans(
        centre,
        therapist=users["therapist@riverside.example"],
        portal_user=users["participant@riverside.example"],
        today=today,
    )
    return logins


DEMO_INVITEE = ("sam.okafor@riverside.example", "Sam Okafor")


def _seed_invitation(centre: Centre, *, admin: User) -> None:
    """A colleague invited and not yet joined: the staff page's "Renew link" has one to renew."""
    email, name = DEMO_INVITEE
    already = db.session.scalar(
        sa.select(sa.func.count()).select_from(Invite).where(Invite.email == email)
    )
    if not already:
        account_services.create_invite(
            centre=centre, inviter=admin, email=email, name=name, role=Role.THERAPIST, now=utcnow()
        )


def _seed_participants(
    centre: Centre, *, therapists: list[User], portal_user: User, today: date
) -> None:
    existing = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Participant)
        .where(Participant.centre_id == centre.id)
        .execution_options(all_centres=True)
    )
    if existing:
        return  # already seeded: top-up is about accounts, not duplicating people
    rng = random.Random(20260401)  # noqa: S311 - demo data, not secrets
    stages = progress_services.ladder(centre.id)
    for index, person in enumerate(DEMO_PEOPLE):
        given, family, preferred, impairment, level, racing_class, reached, public = person
        therapist = therapists[index % len(therapists)]
        enrolled = today - timedelta(days=60 + 40 * reached + rng.randint(0, 40))
        participant = participant_services.enrol(
            centre_id=centre.id,
            actor=therapist,
            details={
                "given_name": given,
                "family_name": family,
                "preferred_name": preferred,
                "name_order": "family_first" if family in FAMILY_NAME_FIRST else "given_first",
                "date_of_birth": date(1965 + (index * 7) % 40, 1 + index % 12, 1 + index % 27),
                "email": f"{given.lower()}.{index}@example.org",
                "phone": f"07700 900{index:03d}",
                "emergency_name": "Next of kin",
                "emergency_phone": f"07700 901{index:03d}",
                "impairment": impairment,
                "condition": None,
                "sci_level": level,
                "racing_class": racing_class,
                "classification_status": "C" if racing_class != "unclassified" else "N",
                "classification_review_on": None,
                "enrolled_on": enrolled,
                "therapist_id": therapist.id,
                "goal": "Build up to a continuous push without shoulder pain.",
                "goal_milestone": stages[min(reached, len(stages) - 1)].title,
                "goal_target_on": today + timedelta(days=120),
            },
            consents={
                ConsentKind.DATA_PROCESSING: True,
                ConsentKind.MEDIA: index % 3 != 0,
                ConsentKind.PUBLIC_VERIFICATION: public,
            },
            consent_recorded_on=enrolled,
            today=today,
        )
        if reached >= 1:
            participant_services.add_fitting(
                participant,
                actor=therapist,
                chair_make=CHAIRS[index % len(CHAIRS)].split()[0],
                chair_model=CHAIRS[index % len(CHAIRS)].split(maxsplit=1)[1],
                fitted_on=enrolled + timedelta(days=7),
                wheel_size="700c",
                push_rim_mm=330 + 10 * (index % 4),
                gloves=("soft", "hard", "printed_3d")[index % 3],
                notes=None,
                today=today,
            )
        participant_services.add_note(
            participant,
            actor=therapist,
            body=f"{preferred or given} is settling in well; working on push technique.",
            shared=True,
        )
        if index == 0:
            participant_services.link_portal_user(participant, portal_user)
        _seed_sessions(participant, reached, enrolled, today, therapist, rng)
        if index == 0:
            # One session from a watch's file: its route, and the original to download.
            start = datetime(today.year, today.month, today.day, 10, tzinfo=UTC)
            import_activity(
                participant,
                actor=therapist,
                data=track_gpx(start - timedelta(days=3)),
                filename="track-laps.gpx",
                kind=SessionKind.TRACK,
            )
        _sign_off_and_verify(participant, reached, stages, therapist, enrolled, rng)


def _seed_sessions(participant, reached, enrolled, today, therapist, rng) -> None:
    days = max(7, (today - enrolled).days - 1)
    count = 6 + 5 * reached
    best = LEVEL_BEST_M[reached]
    start = datetime(enrolled.year, enrolled.month, enrolled.day, 10, tzinfo=UTC)
    for k in range(count):
        # Distances grow towards their best; the very best comes near the end.
        fraction = (k + 1) / count
        distance = best if k == count - 2 else best * (0.25 + 0.6 * fraction) * rng.uniform(0.7, 1)
        distance = round(max(40.0, distance), 1)
        pace = rng.uniform(170, 330)  # seconds per km
        moving = max(60, int(distance / 1000 * pace))
        kind = (
            SessionKind.RACE
            if (distance >= 42195 and k == count - 2)
            else rng.choice((SessionKind.TRACK, SessionKind.ROAD, SessionKind.ROLLER))
        )
        pain = rng.choice((0, 0, 1, 2, 3, 2, 7 if k == count - 1 and reached % 4 == 1 else 1))
        db.session.add(
            TrainingSession(
                centre_id=participant.centre_id,
                participant_id=participant.id,
                started_at=start + timedelta(days=days * k / count, hours=rng.randint(0, 6)),
                kind=kind,
                distance_m=distance,
                moving_time_s=moving,
                elapsed_time_s=moving + rng.randint(0, 240),
                cadence_ppm=rng.randint(70, 105),
                avg_hr=rng.randint(100, 150),
                max_hr=rng.randint(155, 185),
                rpe=rng.randint(3, 8),
                pain=pain,
                pain_site=PainSite.SHOULDER if pain >= 3 else None,
                surface="Athletics track" if kind == SessionKind.TRACK else None,
                event_name="Riverside Marathon" if kind == SessionKind.RACE else None,
                official_time_s=moving if kind == SessionKind.RACE else None,
                source=SessionSource.STAFF,
                recorded_by_id=therapist.id,
            )
        )
    db.session.flush()
    progress_services.evaluate_awards(participant, actor=therapist)


def _sign_off_and_verify(participant, reached, stages, therapist, enrolled, rng) -> None:
    for stage in stages:
        if stage.kind == CriterionKind.SIGNOFF and stage.position <= reached:
            progress_services.sign_off(
                participant,
                stage,
                actor=therapist,
                achieved_at=datetime(enrolled.year, enrolled.month, enrolled.day, tzinfo=UTC)
                + timedelta(days=10 * stage.position),
            )
    awards = db.session.scalars(
        sa.select(Award)
        .where(Award.participant_id == participant.id, Award.verified_at.is_(None))
        .order_by(Award.achieved_at)
    ).all()
    # The newest award of some people waits for a therapist: the caseload has work to show.
    waiting = awards[-1:] if rng.random() < 0.4 else []
    progress_services.verify_awards(
        [award for award in awards if award not in waiting], actor=therapist
    )


# The demo's logo: a heart with a push-rim, drawn as plain SVG (sanitised like any upload).
DEMO_LOGO = b"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 120"
 width="120" height="120">
<circle cx="60" cy="60" r="54" fill="none" stroke="#0b5563" stroke-width="8"/>
<path d="M60 92 L30 62 A17 17 0 0 1 60 38 A17 17 0 0 1 90 62 Z" fill="#b3261e"/>
<path d="M22 66 H42 L50 50 L60 78 L68 62 H98" fill="none" stroke="#ffffff" stroke-width="5"
 stroke-linejoin="round" stroke-linecap="round"/>
</svg>"""


CLEARANCE = "steer-and-stop"


def _seed_certificates(centre: Centre, *, admin: User) -> None:
    """Branding, a certificate for each person's highest verified stage, some printed, one
    revoked, at the configured public address (``make run`` sets it to where it serves). Once
    the centre has certificates, they are only moved to that address if they point elsewhere."""
    from heartbeat.certificates import branding as certificate_branding
    from heartbeat.certificates import printing
    from heartbeat.certificates import services as certificate_services
    from heartbeat.certificates.models import Certificate

    if db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Certificate)
        .where(Certificate.centre_id == centre.id)
    ):
        move_demo_certificates(centre)
        return
    if certificate_branding.branding_for(centre.id) is None:
        certificate_branding.update_branding(
            centre,
            actor=admin,
            values={
                "programme_name": "Heartbeat Miles at Riverside",
                "primary_colour": "#0b5563",
                "accent_colour": "#b3261e",
                "signatory_name": "Dr Morgan Reyes",
                "signatory_title": "Head of Therapy, Riverside Rehab",
            },
            paper_size="A4",
            logo=DEMO_LOGO,
            expected_version=None,
        )
    participants = db.session.scalars(
        sa.select(Participant).where(Participant.centre_id == centre.id).order_by(Participant.id)
    ).all()
    from heartbeat.progress.models import LadderStage

    # "Steer and stop" is a safety clearance the demo centre renews every year.
    stage = db.session.scalars(
        sa.select(LadderStage).where(
            LadderStage.centre_id == centre.id, LadderStage.code == CLEARANCE
        )
    ).one_or_none()
    if stage is not None and stage.valid_for_months is None:
        stage.valid_for_months = 12
    clearances = 0
    issued = []
    for participant in participants:
        awards = [
            award
            for award in certificate_services.issuable_awards(participant)
            if award.stage_id is not None
        ]
        if not awards:
            continue
        top = max(awards, key=lambda award: award.stage.position if award.stage else 0)
        clearance = next((a for a in awards if a.stage and a.stage.code == CLEARANCE), None)
        if clearance is not None and clearance is not top and clearances < 6:
            # The yearly clearance, issued when it was signed off: some are due for renewal.
            clearances += 1
            certificate_services.issue(
                clearance,
                participant=participant,
                centre=centre,
                actor=admin,
                now=clearance.achieved_at,
            )
        issued.append(
            certificate_services.issue(
                top,
                participant=participant,
                centre=centre,
                actor=admin,
            )  # at HEARTBEAT_PUBLIC_URL, as any certificate: the address the demo is served at
        )
    printing.mark_printed([c.id for c in issued[: len(issued) // 2]], now=utcnow())
    if len(issued) > 3:
        certificate_services.revoke(
            issued[-1],
            actor=admin,
            reason="Issued for the wrong stage by mistake; a corrected certificate follows.",
        )
