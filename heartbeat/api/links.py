"""OpenAPI links: which answer feeds which request (a new session's id and ETag to read, change or
delete it; a list's first row to open). Clients may follow them; Schemathesis's stateful run
chains requests along them."""

from __future__ import annotations

from typing import Any


def _to(operation: str, **parameters: str) -> dict[str, Any]:
    return {"operationId": operation, "parameters": parameters}


def _session(id_expression: str, *, with_etag: bool) -> dict[str, dict[str, Any]]:
    read = _to("getSession", session_id=id_expression)
    change = {"session_id": id_expression}
    if with_etag:
        change["header.If-Match"] = "$response.header.ETag"
    return {
        "GetSession": read,
        "UpdateSession": _to("updateSession", **change),
        "DeleteSession": _to("deleteSession", **change),
    }


def responses(status: int, links: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {"responses": {status: {"links": links}}}


NEW_SESSION = responses(201, _session("$response.body#/id", with_etag=True))
ONE_SESSION = responses(200, _session("$response.body#/id", with_etag=True))
FIRST_SESSION = responses(
    200, {"GetSession": _to("getSession", session_id="$response.body#/items/0/id")}
)
_FIRST_PARTICIPANT = "$response.body#/items/0/id"
FIRST_PARTICIPANT = responses(
    200,
    {
        "GetParticipant": _to("getParticipant", participant_id=_FIRST_PARTICIPANT),
        "ListSessions": _to("listSessions", participant_id=_FIRST_PARTICIPANT),
        "CreateSession": _to("createSession", participant_id=_FIRST_PARTICIPANT),
        "ListAwards": _to("listAwards", participant_id=_FIRST_PARTICIPANT),
    },
)
FIRST_CERTIFICATE = responses(
    200,
    {
        "GetCertificate": _to("getCertificate", certificate_id="$response.body#/items/0/id"),
        "GetCertificatePdf": _to("getCertificatePdf", certificate_id="$response.body#/items/0/id"),
    },
)
