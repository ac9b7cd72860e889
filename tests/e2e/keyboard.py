"""Driving a page with the keyboard alone, checking focus after every key that moves it.

``Keyboard(page)`` presses Tab / Shift+Tab until a target has focus, and after each press asserts
what WCAG asks of focus:

* it moved (2.1.2, no keyboard trap): a Tab that leaves focus where it was fails, except inside
  a date or time field, whose parts (day, month, year; hours, minutes) each take a Tab;
* it shows (2.4.7): the focused element's outline or shadow differs from its unfocused look;
* it is not hidden (2.4.11): the element is inside the viewport and at least part of it is the
  topmost thing on the screen (nothing sticky or floating covers it).

Text goes in with ``type`` into whatever has focus; nothing is clicked or filled from outside.
"""

from __future__ import annotations

from datetime import date, time

from playwright.sync_api import Locator, Page

# Describes the focused element; with ``measure`` it also compares its focused and unfocused
# styles (blurring it for a moment and focusing it again) and samples points inside it to see
# whether anything covers it.
_FOCUS_STATE_JS = """(measure) => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) {
        return {id: "body", what: "body"};
    }
    const path = [];
    for (let n = el; n && n !== document.documentElement; n = n.parentElement) {
        let i = 0;
        for (let s = n.previousElementSibling; s; s = s.previousElementSibling) i++;
        path.unshift(n.tagName + ":" + i);
    }
    const text = (el.getAttribute("aria-label") || el.innerText || el.value || el.name || "")
        .trim().replace(/\\s+/g, " ").slice(0, 50);
    const what = el.tagName.toLowerCase() + (el.type ? `[type=${el.type}]` : "")
        + (el.id ? "#" + el.id : "") + (text ? ` "${text}"` : "");
    const look = (e) => {
        const c = getComputedStyle(e);
        return [c.outlineStyle, c.outlineWidth, c.outlineColor, c.boxShadow].join(" | ");
    };
    const kind = el.tagName === "INPUT" ? el.type : el.tagName.toLowerCase();
    if (!measure) return {id: path.join("/"), what, kind};
    const focusVisible = el.matches(":focus-visible");
    const focused = look(el);
    el.blur();
    const unfocused = look(el);
    el.focus({preventScroll: true});
    const r = el.getBoundingClientRect();
    const inViewport = r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0
        && r.top < innerHeight && r.left < innerWidth;
    let uncovered = 0;
    for (const [fx, fy] of [[.5, .5], [.15, .15], [.85, .15], [.15, .85], [.85, .85]]) {
        const x = r.left + r.width * fx, y = r.top + r.height * fy;
        if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue;
        const hit = document.elementFromPoint(x, y);
        if (hit && (hit === el || el.contains(hit) || (hit.control && hit.control === el))) {
            uncovered++;
        }
    }
    return {
        id: path.join("/"), what, focusVisible, focused, unfocused,
        stillFocused: document.activeElement === el, inViewport, uncovered, kind,
    };
}"""

_SEGMENTED = {"date", "time", "datetime-local", "month", "week"}


class KeyboardTrap(AssertionError):
    pass


class Keyboard:
    def __init__(self, page: Page, *, date_order: str = "DMY", clock_24h: bool = True) -> None:
        self.page = page
        self.date_order = date_order
        self.clock_24h = clock_24h
        self.presses = 0
        self.visited: list[str] = []  # every element focus went to, in order

    # --- moving focus -------------------------------------------------------------------------

    def focus_state(self, *, measure: bool = False) -> dict:
        return self.page.evaluate(_FOCUS_STATE_JS, measure)

    def press(self, key: str) -> dict:
        """Press a focus-moving key (Tab or Shift+Tab) and check where focus went."""
        before = self.focus_state()
        self.page.keyboard.press(key)
        self.presses += 1
        after = self.focus_state()
        where = f"after {key} #{self.presses} on {self.page.url}"
        assert after["id"] != "body", f"focus fell back to the page {where} (from {before['what']})"
        if after["id"] == before["id"]:
            if after["kind"] not in _SEGMENTED:
                raise KeyboardTrap(f"focus stayed on {after['what']} {where}")
            return after  # the next part of a date or time field: checked when it arrived
        after = self.focus_state(measure=True)
        self._check(after, where)
        return after

    def _check(self, after: dict, where: str) -> None:
        self.visited.append(after["what"])
        assert after["stillFocused"], f"{after['what']} lost focus when checked {where}"
        assert after["focusVisible"], f"{after['what']} does not match :focus-visible {where}"
        assert after["focused"] != after["unfocused"], (
            f"{after['what']} looks the same focused and unfocused {where}: {after['focused']}"
        )
        assert after["inViewport"], f"{after['what']} is focused off-screen {where}"
        assert after["uncovered"] > 0, f"{after['what']} is covered by something else {where}"

    def tab_to(self, target: Locator, *, backwards: bool = False, limit: int = 200) -> None:
        """Tab (or Shift+Tab) until ``target`` has focus; fails after ``limit`` presses."""
        key = "Shift+Tab" if backwards else "Tab"
        repeats = 0
        last = None
        for _ in range(limit):
            state = self.press(key)
            if target.evaluate("el => el === document.activeElement"):
                return
            repeats = repeats + 1 if state["id"] == last else 0
            if repeats > 3:  # even a date field has at most three parts to step through
                raise KeyboardTrap(f"focus stuck on {state['what']} on {self.page.url}")
            last = state["id"]
        raise AssertionError(
            f"{key} never reached {target} in {limit} presses on {self.page.url}; "
            f"last focused: {self.visited[-5:]}"
        )

    # --- acting on what has focus -------------------------------------------------------------

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def enter(self) -> None:
        self.page.keyboard.press("Enter")

    def follow(self) -> None:
        """Enter on a link or submit button, waiting for the page it leads to."""
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")

    def space(self) -> None:
        self.page.keyboard.press("Space")

    def type_date(self, value: date) -> None:
        """Type a date into the focused date field, in the order its parts are shown."""
        parts = {"D": f"{value.day:02d}", "M": f"{value.month:02d}", "Y": f"{value.year:04d}"}
        self.type("".join(parts[p] for p in self.date_order))

    def type_time(self, value: time) -> None:
        if self.clock_24h:
            self.type(f"{value.hour:02d}{value.minute:02d}")
        else:
            hour = value.hour % 12 or 12
            self.type(f"{hour:02d}{value.minute:02d}{'P' if value.hour >= 12 else 'A'}")


def field_formats(browser) -> tuple[str, bool]:
    """How this browser lays out date and time fields: ("DMY" or "MDY", 24-hour clock?).

    Chromium draws them in its own interface language, whatever the page's; a scratch page
    finds out by typing a known date and time and reading the values back.
    """
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content('<input type="date" id="d"><input type="time" id="t">')
        page.focus("#d")
        page.keyboard.type("01022000")
        page.focus("#t")
        page.keyboard.type("0930")  # a 12-hour field also needs AM or PM before it has a value
        day_value, time_value = page.evaluate(
            "[document.getElementById('d').value, document.getElementById('t').value]"
        )
    finally:
        context.close()
    order = "MDY" if day_value == "2000-01-02" else "DMY"
    return order, time_value == "09:30"
