"""Accessibility scans with axe-core (npm), injected into the page under test.

``scan(page)`` runs axe's WCAG 2.0/2.1/2.2 A and AA rules and returns the violations of impact
"serious" or "critical"; every rule id axe evaluated is collected in ``RULES_CHECKED`` so the run
can say what it checked.
"""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING_IMPACTS = {"serious", "critical"}
RULES_CHECKED: set[str] = set()
PAGES_SCANNED: list[str] = []

_RUN = """async (tags) => {
    const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
    const brief = (items) => items.map((r) => ({
        id: r.id, impact: r.impact, help: r.help,
        nodes: r.nodes.slice(0, 5).map((n) => n.target.join(" ") + " :: " + n.failureSummary),
    }));
    return {
        violations: brief(results.violations),
        checked: [...results.passes, ...results.violations, ...results.incomplete,
                  ...results.inapplicable].map((r) => r.id),
    };
}"""


_SOURCE: list[str] = []


def _axe_source() -> str:
    if not _SOURCE:
        _SOURCE.append(AXE.read_text() + "\n;window.axe !== undefined")
    return _SOURCE[0]


def axe_available() -> bool:
    return AXE.is_file()


def scan(page) -> list[dict]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, which the page's CSP does not govern (a
        # <script> tag would be refused, as it should be).
        page.evaluate(_axe_source())
    result = page.evaluate(_RUN, TAGS)
    RULES_CHECKED.update(result["checked"])
    PAGES_SCANNED.append(page.url)
    return [v for v in result["violations"] if v["impact"] in FAILING_IMPACTS]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(f"    {node}" for node in violation["nodes"])
    return "\n".join(lines)
