"""Schemathesis against the OpenAPI document, in process (WSGI): every operation, with a token of
every role, on data that fits the document and on data that does not; then a stateful run that
chains requests along the document's links (a list's first row opened, a new session read,
changed with its ETag and deleted).

It fails on any server error (5xx), any status, media type, header or body the document does not
describe, any request the document forbids that is not refused (4xx), and any operation that
answers without a token. Path ids are generated (mostly naming nothing) and also taken from the
world (the role's own centre's records, and the other centre's), so the answers of real records
are checked too. The run is bounded (``EXAMPLES`` per operation, mode and role) and derandomised,
so it takes the same time and finds the same things on every run.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation import GenerationMode

from tests.api.conftest import bearer

pytestmark = pytest.mark.slow

EXAMPLES = 12
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
POSITIVE_CHECKS = [check for check in CHECKS if check is not negative_data_rejection]
ROLES = ("participant", "therapist", "admin", "operator")


def _ids(world, side: str) -> dict[str, int]:
    record = world.side(side).records["p1"]
    return {
        "participant_id": record.participant_id,
        "session_id": record.session_id,
        "certificate_id": record.certificate_id,
    }


def _run(
    operation, token: str, mode: GenerationMode, path_parameters: dict | None, checks: list
) -> list[str]:
    failures: list[str] = []
    wanted = {
        name: value
        for name, value in (path_parameters or {}).items()
        if f"{{{name}}}" in operation.path
    }
    if path_parameters is not None and not wanted:
        return failures  # no ids in this path: the generated run covers it

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=wanted or None))
    def run(case):
        try:
            case.call_and_validate(headers=bearer(token), checks=checks)
        except AssertionError as error:  # schemathesis's FailureGroup is one
            failures.append(f"{operation.label} ({mode.value}): {error}")
            raise

    try:
        run()
    except AssertionError:
        pass
    return failures


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_keeps_to_the_document(app, world, tokens, role):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    # Whether each operation refuses a request without the token: once is enough (it sends a
    # few more requests per case).
    checks = CHECKS + [ignored_auth] if role == "admin" else CHECKS
    failures: list[str] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for ids in (None, _ids(world, "a"), _ids(world, "b")):
                failures += _run(operation, tokens.of(role), mode, ids, checks)
    assert not failures, "\n\n".join(failures[:5])


@pytest.mark.parametrize("role", ("therapist", "participant"))
def test_chains_along_the_links_keep_to_the_document(app, tokens, role):
    """The stateful run: requests chained along the document's links (a new session read,
    changed with its ETag, deleted; a list's first row opened)."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = bearer(tokens.of(role))

    class WithToken(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=POSITIVE_CHECKS, headers=headers)

    WithToken.run(
        settings=settings(
            max_examples=EXAMPLES * 2,
            stateful_step_count=5,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
    )
