"""Helpers for the certificate tests: participants with verified awards, issued certificates, and
ways to read the PDFs (text, pages, metadata, the QR code)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from heartbeat.auth.models import User
from heartbeat.centres.models import Centre
from heartbeat.certificates import queries, services
from heartbeat.certificates.models import Certificate
from heartbeat.extensions import db
from heartbeat.participants.models import ConsentKind, Participant
from heartbeat.progress import services as progress
from heartbeat.progress.models import Award, LadderStage
from heartbeat.training.models import SessionKind, TrainingSession
from tests.participants.conftest import Helpers

NOW = datetime(2026, 6, 2, 10, 0, tzinfo=UTC)


@dataclass
class Achiever:
    participant_id: int
    awards: dict[str, int]  # stage code (or club code) -> award id


class CertificateHelpers:
    def __init__(self, app):
        self.app = app
        self.people = Helpers(app)

    def achiever(
        self,
        centre_world,
        *,
        distance_m: float = 10_500,
        verify: bool = True,
        public_name: bool = False,
        login=None,
        **names,
    ) -> Achiever:
        """A participant with one continuous push of ``distance_m``, its awards verified."""
        consents = {ConsentKind.DATA_PROCESSING: True}
        if public_name:
            consents[ConsentKind.PUBLIC_VERIFICATION] = True
        pid = self.people.enrol(centre_world, consents=consents, **names)
        if login is not None:
            self.people.link(pid, login)
        with self.app.app_context():
            progress.seed_default_ladder(centre_world.centre.id)
            participant = db.session.get(Participant, pid)
            db.session.add(
                TrainingSession(
                    centre_id=participant.centre_id,
                    participant_id=pid,
                    started_at=NOW - timedelta(days=3),
                    kind=SessionKind.ROAD,
                    distance_m=distance_m,
                    moving_time_s=3600,
                )
            )
            db.session.flush()
            progress.evaluate_awards(participant)
            awards = db.session.scalars(sa.select(Award).where(Award.participant_id == pid)).all()
            if verify:
                therapist = db.session.get(User, centre_world.therapist.id)
                progress.verify_awards(awards, actor=therapist, now=NOW - timedelta(days=1))
            codes = {
                stage.id: stage.code
                for stage in db.session.scalars(
                    sa.select(LadderStage).where(LadderStage.centre_id == centre_world.centre.id)
                )
            }
            result = {
                codes.get(award.stage_id, award.club_code or award.key): award.id
                for award in awards
            }
            db.session.commit()
        return Achiever(pid, result)

    def issue(self, centre_world, achiever: Achiever, code: str = "10k", *, now=NOW) -> int:
        with self.app.app_context():
            award = db.session.scalars(
                sa.select(Award)
                .options(sa.orm.joinedload(Award.stage))
                .where(Award.id == achiever.awards[code])
            ).one()
            certificate = services.issue(
                award,
                participant=db.session.get(Participant, achiever.participant_id),
                centre=db.session.get(Centre, centre_world.centre.id),
                actor=db.session.get(User, centre_world.therapist.id),
                now=now,
            )
            db.session.commit()
            return certificate.id

    def certificate(self, certificate_id: int) -> Certificate:
        with self.app.app_context():
            row = db.session.scalars(queries.certificate_query(certificate_id)).unique().one()
            db.session.expunge_all()
            return row

    def count(self) -> int:
        with self.app.app_context():
            return db.session.scalar(sa.select(sa.func.count()).select_from(Certificate))


@pytest.fixture
def certs(app) -> CertificateHelpers:
    return CertificateHelpers(app)


# --- reading PDFs ---------------------------------------------------------------------------------


def pdf_reader(data: bytes):
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(data))


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in pdf_reader(data).pages)


def page_size_mm(data: bytes, index: int = 0) -> tuple[float, float]:
    box = pdf_reader(data).pages[index].mediabox
    return float(box.width) * 25.4 / 72, float(box.height) * 25.4 / 72


def decode_qr_codes(data: bytes, index: int = 0, scale: float = 3.0) -> list[str]:
    """Render one page to pixels (PDFium) and read every QR code on it (ZXing)."""
    import pypdfium2 as pdfium
    import zxingcpp

    document = pdfium.PdfDocument(data)
    try:
        image = document[index].render(scale=scale).to_pil()
    finally:
        document.close()
    return [
        result.text
        for result in zxingcpp.read_barcodes(image)
        if result.format == zxingcpp.BarcodeFormat.QRCode
    ]
