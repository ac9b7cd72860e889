"""The SVG logo sanitiser works by parsing, so no spelling of an outside URL gets through.

The attacker probe stored a logo with an unclosed ``url(`` (``fill:url(http://127.0.0.1:9999/x``)
that the old pattern missed. Here: those spellings, CSS escapes and comments, and a fuzz test
that builds SVGs from hostile pieces and checks every attribute value and every CSS token of
whatever the sanitiser keeps.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr

import defusedxml.ElementTree as DefusedET
import pytest
import tinycss2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heartbeat.certificates import images

OUTSIDE = "http://127.0.0.1:9999/x"
# A same-document reference, the only one a logo may make (an oracle of its own, not the code's).
FRAGMENT = re.compile(r"#[A-Za-z_][A-Za-z0-9_.:-]*")


def svg(inner: str, root_attributes: str = 'viewBox="0 0 10 10"') -> bytes:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f"{root_attributes}>{inner}</svg>"
    ).encode()


@pytest.mark.parametrize(
    "inner",
    [
        f'<rect style="fill:url({OUTSIDE}"/>',
        f'<rect fill="url({OUTSIDE}"/>',
        f"<style>.a{{fill:url({OUTSIDE}</style>",
        f'<rect style="fill:url(&quot;{OUTSIDE}"/>',
        f"<rect stroke=\"url('{OUTSIDE}')\"/>",
        f'<rect style="fill:u\\72l({OUTSIDE})"/>',
        f'<rect style="fill:\\75 rl({OUTSIDE})"/>',
        f'<rect style="fill:/* x */url( {OUTSIDE} )"/>',
        f"<style>.a{{fill:URL({OUTSIDE})}}</style>",
        f'<rect clip-path="url({OUTSIDE}#c)"/>',
        '<rect mask="url(//127.0.0.1/m)"/>',
        '<rect fill="url(data:image/png;base64,AAAA)"/>',
        '<rect fill="url()"/>',
        f'<rect width="url({OUTSIDE})"/>',
        f'<rect transform="url({OUTSIDE})"/>',
        f'<use href="{OUTSIDE}#a"/>',
        '<use href=" #a x"/>',
    ],
)
def test_every_spelling_of_an_outside_url_is_refused(inner):
    with pytest.raises(images.ImageRejected, match="outside file"):
        images.clean_logo(svg(inner))


@pytest.mark.parametrize(
    "inner",
    [
        "<style>@import 'x.css';</style>",
        "<style>@font-face{src:local(x)}</style>",
        "<style>@\\69mport 'x.css';</style>",
        '<rect style="@import x"/>',
    ],
)
def test_at_rules_are_refused(inner):
    with pytest.raises(images.ImageRejected, match="not allowed"):
        images.clean_logo(svg(inner))


def test_other_functions_and_unknown_properties_are_dropped_and_the_rest_kept():
    data, _ = images.clean_logo(
        svg(
            '<rect width="5" height="5" style="fill:image(&quot;x.png&quot;);stroke:#123;'
            'behavior:x;-inkscape-font-specification:Sans;stroke-width:2px" '
            'fill="var(--x)" stroke="rgb(1, 2, 3)"/>'
            "<style>.a > b, #c { fill: url( #g ) ; cursor: pointer } d{}</style>"
        )
    )
    text = data.decode()
    assert 'style="stroke:#123;stroke-width:2px"' in text
    assert 'stroke="rgb(1, 2, 3)"' in text
    assert "var(" not in text and "image(" not in text and "behavior" not in text
    assert ".a &gt; b, #c{fill:url(#g)}" in text  # ">" escaped in XML text
    assert "cursor" not in text


def test_same_document_references_are_kept_in_every_place():
    data, _ = images.clean_logo(
        svg(
            '<defs><linearGradient id="g"/><clipPath id="c"/></defs>'
            '<rect width="1" height="1" fill="url(#g)" clip-path="url(&quot;#c&quot;)" '
            'style="stroke:url(#g)"/><use xlink:href="#g"/>'
        )
    )
    text = data.decode()
    assert 'fill="url(#g)"' in text
    assert 'clip-path="url(#c)"' in text
    assert 'style="stroke:url(#g)"' in text
    assert 'href="#g"' in text


def test_geometry_keeps_its_values_and_loses_anything_else():
    data, _ = images.clean_logo(
        svg(
            '<path d="M0 0L1e2 5.5-3,4z" transform="translate(1, 2) rotate(45)" '
            'width="javascript:alert(1)" id="a b" class="x y"/>'
            '<rect transform="expression(alert(1))" x="10%"/>'
        )
    )
    text = data.decode()
    assert 'd="M0 0L1e2 5.5-3,4z"' in text
    assert 'transform="translate(1, 2) rotate(45)"' in text
    assert "javascript" not in text and "expression" not in text
    assert 'class="x y"' in text
    assert 'x="10%"' in text


# --- fuzzing ------------------------------------------------------------------------------------

PIECES = [
    "url(",
    "url(#a)",
    "url('#a",
    'url("',
    ")",
    "(",
    "'",
    '"',
    "\\",
    "\\75",
    "\\72 ",
    "u",
    "rl",
    "r",
    "l",
    "#a",
    "#",
    "a",
    "http://127.0.0.1:9999/x",
    "//evil.example/y",
    "file:///etc/passwd",
    "data:image/png;base64,AAAA",
    "javascript:alert(1)",
    ":",
    ";",
    ",",
    " ",
    "\n",
    "\t",
    "/*",
    "*/",
    "@import ",
    "@font-face",
    "{",
    "}",
    "fill",
    "stroke",
    "mask",
    "clip-path",
    "image(",
    "image-set(",
    "src(",
    "var(",
    "rgb(",
    "expression(",
    "!important",
    "&",
    "<",
    ">",
    "\x00",
    "é",
]
hostile = st.lists(st.sampled_from(PIECES), max_size=14).map("".join) | st.text(max_size=12)
ATTRIBUTES = [
    "fill",
    "stroke",
    "style",
    "mask",
    "clip-path",
    "href",
    "xlink:href",
    "transform",
    "d",
    "width",
    "id",
    "class",
    "font-family",
    "stop-color",
    "onload",
]
ELEMENT_NAMES = ["rect", "g", "use", "text", "linearGradient", "stop", "path", "mask", "symbol"]


def _xml_safe(text: str) -> str:
    # XML 1.0 refuses most control characters outright; the parser would refuse the file.
    return "".join(char for char in text if char in "\t\n\r" or ord(char) >= 0x20)


@st.composite
def hostile_svgs(draw) -> bytes:
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        name = draw(st.sampled_from(ELEMENT_NAMES))
        attributes = draw(st.dictionaries(st.sampled_from(ATTRIBUTES), hostile, max_size=4))
        rendered = " ".join(
            f"{key}={quoteattr(_xml_safe(value))}" for key, value in attributes.items()
        )
        parts.append(f"<{name} {rendered}/>")
    if draw(st.booleans()):
        sheet = draw(hostile)
        parts.append(f"<style>{escape(_xml_safe(sheet))}</style>")
    return svg("".join(parts))


def _css_urls(nodes) -> list[str]:
    """Every URL a CSS consumer could read from these nodes, however nested."""
    found = []
    for node in nodes:
        if node.type == "url":
            found.append(node.value)
        if node.type == "function":
            if node.lower_name == "url":
                found.append(tinycss2.serialize(node.arguments).strip().strip("'\""))
            elif node.lower_name not in ("rgb", "rgba", "hsl", "hsla"):
                found.append(f"{node.lower_name}(…)")
            found.extend(_css_urls(node.arguments))
        for attribute in ("content", "prelude", "value"):
            children = getattr(node, attribute, None)
            if isinstance(children, list):
                found.extend(_css_urls(children))
        if node.type == "at-rule":
            found.append(f"@{node.at_keyword}")
    return found


def assert_no_outside_reference(data: bytes) -> None:
    root = DefusedET.fromstring(data)
    for element in root.iter():
        for key, value in element.attrib.items():
            if key == "xmlns":
                assert value == "http://www.w3.org/2000/svg"
                continue
            assert not key.startswith("{"), key
            assert not key.lower().startswith("on"), key
            if key == "href":
                assert FRAGMENT.fullmatch(value), value
                continue
            tokens = tinycss2.parse_blocks_contents(value) + tinycss2.parse_component_value_list(
                value
            )
            for url in _css_urls(tokens):
                assert FRAGMENT.fullmatch(url), (key, value)
        if element.tag.endswith("style") and element.text:
            for url in _css_urls(tinycss2.parse_stylesheet(element.text)):
                assert FRAGMENT.fullmatch(url), element.text


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_svgs())
def test_fuzzed_svgs_never_keep_an_outside_reference(data):
    try:
        clean, _ = images.clean_logo(data)
    except images.ImageRejected:
        return
    assert_no_outside_reference(clean)
    # What is stored is stable: cleaning it again changes nothing.
    assert images.clean_logo(clean)[0] == clean


def test_a_css_escape_spelling_a_control_character_is_dropped_not_stored():
    # Found by the fuzzer: fill="\1 " decodes to U+0001, which no XML document may hold.
    data = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect fill="\\1 " /></svg>'
    clean, _ = images.clean_logo(data)
    assert_no_outside_reference(clean)  # parses
    assert b"fill" not in clean
