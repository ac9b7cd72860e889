"""What a browser would send for a form on a page: every field as the page filled it in.

Tests of versioned forms submit exactly what the page carries (the version, the snapshot of what
it showed, the choices offered), change one field the way a person would, and post it back.
"""

from __future__ import annotations

from html.parser import HTMLParser

from werkzeug.datastructures import MultiDict


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, MultiDict]] = []
        self._data: MultiDict | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {name: (value if value is not None else "") for name, value in attrs}
        if tag == "form":
            self._data = MultiDict()
            self.forms.append((a.get("action", ""), self._data))
            return
        if self._data is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._data.add(name, a.get("value", "on"))
                return
            self._data.add(name, a.get("value", ""))
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                self._data.add(self._select, value)
                self._select_chosen = True
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag):
        if tag == "form":
            self._data = None
        elif tag == "select" and self._select is not None and self._data is not None:
            if not self._select_chosen and self._select_first is not None:
                self._data.add(self._select, self._select_first)
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._data is not None:
            text = "".join(self._text)
            # As browsers do: one line break right after <textarea> is not part of the value.
            for newline in ("\r\n", "\n"):
                if text.startswith(newline):
                    text = text[len(newline) :]
                    break
            self._data.add(self._textarea, text)
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)


def form_on(html: str, *, having: str = "version") -> MultiDict:
    """The values of the first form on the page that has a field called ``having``."""
    reader = _Reader()
    reader.feed(html)
    for _, data in reader.forms:
        if having in data:
            return MultiDict(data)
    raise AssertionError(f"no form with a field {having!r} on the page")
