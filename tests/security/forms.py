"""Finding every form the app shows: crawl the pages, read their <form>s, name their endpoints.

Each GET page every role may open is fetched (URL arguments filled from the security world) and
its forms are read from the HTML: the action, whether it uploads files, and each field with
its type and the values offered (select options, checkbox and button values). The action is
matched against the URL map, so each form is known by the endpoint that receives it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from werkzeug.exceptions import HTTPException

from tests.security.access import ENDPOINTS, ROLES, expected

SKIP_FIELDS = frozenset({"csrf_token"})


@dataclass
class Field:
    name: str
    kind: str  # text, textarea, select, checkbox, radio, file, hidden, number, date, email...
    options: list[str] = field(default_factory=list)  # offered values (select, radio, button)
    value: str = ""  # the value the page filled in


@dataclass
class Form:
    action: str
    multipart: bool
    method: str = "POST"
    fields: dict[str, Field] = field(default_factory=dict)

    def add(self, item: Field) -> None:
        known = self.fields.get(item.name)
        if known is None:
            self.fields[item.name] = item
        else:  # radio groups and several submit buttons: one field, several values
            known.options.extend(v for v in item.options if v not in known.options)


@dataclass
class FoundForm:
    endpoint: str
    role: str
    page: str  # the page it was found on
    form: Form


class _FormParser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {name: (value or "") for name, value in attrs}
        if tag == "form":
            self._form = Form(
                action=a.get("action") or self.page_url,
                multipart=a.get("enctype", "") == "multipart/form-data",
                method=a.get("method", "get").upper(),
            )
            self.forms.append(self._form)
            return
        if self._form is None or not a.get("name") or a["name"] in SKIP_FIELDS:
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image", "reset"):
                kind = "button"
            value = a.get("value", "")
            options = [value] if kind in ("checkbox", "radio", "button") and value else []
            self._form.add(Field(name, kind, options, value))
        elif tag == "button":
            self._form.add(Field(name, "button", [a.get("value", "")], a.get("value", "")))
        elif tag == "select":
            self._select = Field(name, "select")
            self._form.add(self._select)
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
        elif tag == "textarea":
            self._textarea = Field(name, "textarea")
            self._form.add(self._textarea)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def parse_forms(html: str, page_url: str) -> list[Form]:
    parser = _FormParser(page_url)
    parser.feed(html)
    return parser.forms


def endpoint_of(app, url: str, method: str = "POST") -> str | None:
    path = urlsplit(url).path
    adapter = app.url_map.bind("heartbeat.test")
    try:
        endpoint, _ = adapter.match(path, method=method)
    except HTTPException:
        return None
    return endpoint


def crawl(app, world, clients, fill, build_url) -> dict[str, list[FoundForm]]:
    """Every form on every page each role may open, by receiving endpoint (the method of each
    is ``found.form.method``).

    ``clients(role)`` gives a browser signed in as the role; ``fill`` and ``build_url`` are the
    access matrix's URL-argument helpers.
    """
    found: dict[str, list[FoundForm]] = {}
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    for role in ROLES:
        for endpoint, access in sorted(ENDPOINTS.items()):
            rule = rules.get(endpoint)
            if rule is None or "GET" not in rule.methods or endpoint == "static":
                continue
            if endpoint in ("auth.logout", "auth.accept_invite") and role != "anonymous":
                continue  # opening these signs the browser out
            for values in _argument_sets(world, fill, rule, access.rule(role), role):
                url = build_url(app, endpoint, values)
                response = clients(role).get(url)
                if response.status_code != 200 or response.mimetype != "text/html":
                    continue
                for form in parse_forms(response.get_data(as_text=True), url):
                    target = endpoint_of(app, form.action, form.method)
                    if target is not None:
                        found.setdefault(target, []).append(FoundForm(target, role, url, form))
    return found


def _argument_sets(world, fill, rule, rule_word: str, role: str) -> list[dict]:
    """The URL arguments of the pages the role may open: its own record, another one of its
    centre, and the participant who has things waiting for staff."""
    sets = []
    for record in ("own", "another"):
        if expected(rule_word, "own", record) == "ok":
            sets.append({arg: fill(world, arg, role, "own", record) for arg in rule.arguments})
    if sets and "participant_id" in rule.arguments:
        sets.append({**sets[0], "participant_id": world.a.newcomer_id})
    return sets if rule.arguments else sets[:1]
