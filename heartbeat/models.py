"""Every model, imported in one place so that mappers and Alembic see the whole schema."""

from heartbeat.audit.models import AuditEvent
from heartbeat.auth.models import (
    ApiToken,
    DeviceSession,
    Invite,
    MfaRecoveryCode,
    PasswordReset,
    Role,
    SignInGuard,
    User,
)
from heartbeat.centres.models import Centre
from heartbeat.certificates.models import Branding, BrandingSnapshot, Certificate, SigningKey
from heartbeat.jobs.models import Job
from heartbeat.measures.models import Measure, MeasureAnswer, MeasureItem, MeasureResponse
from heartbeat.outbox.models import EmailPreference, OutboxEmail
from heartbeat.participants.models import (
    Consent,
    EquipmentFitting,
    Note,
    Participant,
    StatusChange,
)
from heartbeat.plans.models import (
    CalendarFeed,
    Plan,
    PlannedSession,
    PlannedSquadSession,
    PlanTemplate,
    Squad,
    SquadAttendance,
    SquadSession,
    TemplateSession,
    UnavailableDay,
)
from heartbeat.progress.models import Award, LadderStage, ParticipantSummary, StageSkill
from heartbeat.safety.models import RedFlag, SafetyGuidance
from heartbeat.training.models import ActivityFile, TrainingSession

__all__ = [
    "PasswordReset",
    "EmailPreference",
    "OutboxEmail",
    "ApiToken",
    "DeviceSession",
    "CalendarFeed",
    "Plan",
    "PlannedSession",
    "PlannedSquadSession",
    "PlanTemplate",
    "Squad",
    "SquadAttendance",
    "SquadSession",
    "TemplateSession",
    "UnavailableDay",
    "ActivityFile",
    "Award",
    "LadderStage",
    "StageSkill",
    "MfaRecoveryCode",
    "SignInGuard",
    "TrainingSession",
    "AuditEvent",
    "Branding",
    "BrandingSnapshot",
    "Certificate",
    "SigningKey",
    "Centre",
    "Consent",
    "EquipmentFitting",
    "Invite",
    "Job",
    "Note",
    "Participant",
    "ParticipantSummary",
    "Measure",
    "MeasureAnswer",
    "MeasureItem",
    "MeasureResponse",
    "RedFlag",
    "SafetyGuidance",
    "Role",
    "StatusChange",
    "User",
]
