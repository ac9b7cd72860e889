"""Job kinds that exist only for the tests (imported by conftest, and by worker subprocesses
through HEARTBEAT_JOB_MODULES)."""

from __future__ import annotations

import threading
import time

from heartbeat.audit import services as audit
from heartbeat.jobs import registry
from heartbeat.jobs.services import JobContext, JobError, JobResult, JobTable

# In-process gates for thread-mode tests: a job waits at ``pause_at`` until its gate opens.
GATES: dict[str, threading.Event] = {}
GATE_TIMEOUT_S = 20


def gate(name: str) -> threading.Event:
    return GATES.setdefault(name, threading.Event())


@registry.handler("testjobs.count", label="Count things")
def count(ctx: JobContext, params: dict) -> JobResult:
    n = int(params.get("n", 10))
    gate_name = params.get("gate")
    for i in range(n):
        if (
            gate_name
            and i == params.get("pause_at", 0)
            and ctx.attempt in params.get("gate_attempts", [1])
        ):
            assert gate(gate_name).wait(GATE_TIMEOUT_S), "gate never opened"
        if params.get("write") and i >= params.get("write_from", 0):
            audit.record(
                None, ctx.centre_id, "test.counted", "job", ctx.job_id, {"i": {"after": i}}
            )
        ctx.progress(i + 1, n, "things counted")
        time.sleep(float(params.get("sleep", 0)))
    if params.get("fail_at_end"):
        raise RuntimeError("internal detail: /srv/secret.txt not readable")
    return JobResult(
        f"counted {n} on attempt {ctx.attempt}".encode(),
        "count.txt",
        "text/plain",
        {"things_counted": n, "attempt": ctx.attempt},
    )


@registry.handler("testjobs.explode")
def explode(ctx: JobContext, params: dict) -> None:
    ctx.progress(1, 4, "steps")
    raise RuntimeError("internal detail: password=hunter2 in /srv/secret.txt")


@registry.handler("testjobs.refuse")
def refuse(ctx: JobContext, params: dict) -> None:
    raise JobError("Line 3: there is no participant with id 99.")


@registry.handler("testjobs.quiet")
def quiet(ctx: JobContext, params: dict) -> None:
    ctx.summary = {"checked": 3}
    return None


@registry.handler("testjobs.slow")
def slow(ctx: JobContext, params: dict) -> JobResult:
    n = int(params.get("n", 20))
    for i in range(n):
        time.sleep(float(params.get("sleep", 0.1)))
        ctx.progress(i + 1, n, "steps taken")
    return JobResult(b"slow and steady", "slow.txt", "text/plain", {"steps": n})


@registry.handler("testjobs.table")
def table(ctx: JobContext, params: dict) -> JobResult | None:
    details = JobTable(
        "Things by number",
        ["Number", "Thing"],
        [[str(i), f"thing {i}"] for i in range(int(params.get("n", 3)))],
        note=params.get("note", ""),
    )
    if params.get("gate"):
        assert gate(params["gate"]).wait(GATE_TIMEOUT_S), "gate never opened"
    if params.get("refuse"):
        raise JobError("2 things were wrong.", details=details)
    if params.get("bad"):
        ctx.details = {"caption": "not a JobTable"}  # type: ignore[assignment]
        return None
    ctx.summary = {"things": int(params.get("n", 3))}
    ctx.details = details
    return None
