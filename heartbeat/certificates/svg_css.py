"""The CSS inside an SVG logo, sanitised by parsing it (tinycss2, the CSS Syntax tokenizer).

Style attributes, ``<style>`` sheets and CSS-valued presentation attributes (``fill``,
``stroke``...) are tokenized, checked token by token and written out again from the tokens, so
what is stored is exactly what was checked: escapes are decoded by the tokenizer (``u\\72l(`` is a
``url(``), an unclosed ``url(`` is still a URL token, comments are gone. Only allow-listed
properties survive; at-rules (``@import``, ``@font-face``) are refused; the one URL allowed is a
reference to an element of the same document (``url(#id)``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import tinycss2
from tinycss2 import ast

from heartbeat.certificates.errors import ImageRejected
from heartbeat.core.i18n import _

# Properties a logo may set, in a style attribute or sheet (the same as its presentation
# attributes); anything else (an editor's -inkscape-*, a behaviour:) is dropped.
PROPERTIES = frozenset(
    {
        "fill",
        "fill-opacity",
        "fill-rule",
        "stroke",
        "stroke-width",
        "stroke-opacity",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-dasharray",
        "stroke-dashoffset",
        "opacity",
        "color",
        "stop-color",
        "stop-opacity",
        "font-family",
        "font-size",
        "font-weight",
        "font-style",
        "text-anchor",
        "dominant-baseline",
        "letter-spacing",
        "clip-path",
        "clip-rule",
        "mask",
        "display",
        "visibility",
    }
)
# Colour functions; everything else (image(), image-set(), src(), var(), attr()...) is dropped.
FUNCTIONS = frozenset({"rgb", "rgba", "hsl", "hsla"})
# Punctuation kept between a value's parts.
LITERALS = (",", "/", "%", "+", "-", "!", ".")
FRAGMENT = re.compile(r"#[A-Za-z_][A-Za-z0-9_.:-]*")


class Unsafe(Exception):
    """A value that cannot be kept (dropped quietly, like an unknown attribute)."""


def _outside(where: str, url: str) -> ImageRejected:
    shown = url.strip()[:60] or "an empty address"
    return ImageRejected(
        _(
            "The logo's %(where)s refers to an outside file (%(url)s); a logo must be"
            " self-contained.",
            where=where,
            url=shown,
        )
    )


def _fragment(url: str, where: str) -> str:
    url = url.strip()
    if not FRAGMENT.fullmatch(url):
        raise _outside(where, url)
    return f"url({url})"


def _url_argument(block: ast.FunctionBlock, where: str) -> str:
    """``url("…")`` as a function with one string: the address is that string."""
    parts = [token for token in block.arguments if token.type not in ("whitespace", "comment")]
    if len(parts) == 1 and isinstance(parts[0], ast.StringToken):
        return _fragment(parts[0].value, where)
    raise _outside(where, tinycss2.serialize(block.arguments))


def _value(tokens: Iterable[ast.Node], where: str) -> str:
    """A property value written out from its tokens; ImageRejected for an outside URL."""
    out: list[str] = []
    for token in tokens:
        kind = token.type
        if isinstance(token, ast.URLToken):
            out.append(_fragment(token.value, where))
        elif isinstance(token, ast.FunctionBlock):
            name = token.lower_name
            if name == "url":
                out.append(_url_argument(token, where))
            elif name in FUNCTIONS:
                out.append(f"{name}({_value(token.arguments, where)})")
            else:
                _value(token.arguments, where)  # an outside URL inside still refuses the file
                raise Unsafe(name)
        elif isinstance(token, ast.ParenthesesBlock):
            out.append(f"({_value(token.content, where)})")
        elif kind in ("whitespace", "comment"):
            out.append(" ")
        elif kind in ("ident", "number", "percentage", "dimension", "hash", "string"):
            out.append(tinycss2.serialize([token]))
        elif isinstance(token, ast.LiteralToken) and token.value in LITERALS:
            out.append(token.value)
        elif isinstance(token, ast.ParseError) and token.kind == "eof-in-url":
            continue  # the URL token before it has been checked already
        else:
            if isinstance(token, ast.SquareBracketsBlock | ast.CurlyBracketsBlock):
                _value(token.content, where)
            raise Unsafe(kind)
    return re.sub(r"\s+", " ", "".join(out)).strip()


def attribute_value(value: str, where: str) -> str | None:
    """A CSS-valued presentation attribute (``fill="url(#g)"``), or None to drop it."""
    try:
        return _value(tinycss2.parse_component_value_list(value), where) or None
    except Unsafe:
        return None


def _declarations(nodes: Iterable[ast.Node], where: str) -> str:
    kept = []
    for node in nodes:
        if isinstance(node, ast.AtRule):
            raise ImageRejected(
                _(
                    "The logo's %(where)s uses CSS that is not allowed (@%(rule)s).",
                    where=where,
                    rule=node.at_keyword,
                )
            )
        if not isinstance(node, ast.Declaration):
            continue  # a parse error: what a browser would skip too
        try:
            text = _value(node.value, where)
        except Unsafe:
            continue
        if node.lower_name in PROPERTIES and text:
            kept.append(f"{node.lower_name}:{text}{' !important' if node.important else ''}")
    return ";".join(kept)


def style_attribute(value: str, where: str) -> str | None:
    """A ``style`` attribute, its allowed declarations only, or None when none is left."""
    nodes = tinycss2.parse_blocks_contents(value, skip_whitespace=True, skip_comments=True)
    return _declarations(nodes, where) or None


_SELECTOR_TOKENS = frozenset({"ident", "hash", "whitespace", "literal", "[] block", "string"})


def _selector(prelude: list[ast.Node]) -> str:
    """A selector from its tokens: names, classes, ids, combinators and attribute tests."""
    for token in prelude:
        if isinstance(token, ast.FunctionBlock) and token.lower_name in ("not", "is", "where"):
            _selector(token.arguments)
        elif token.type not in _SELECTOR_TOKENS:
            raise Unsafe(token.type)
        elif isinstance(token, ast.SquareBracketsBlock):
            _selector(token.content)
    return tinycss2.serialize(prelude).strip()


def style_sheet(text: str) -> str:
    """A ``<style>`` element's sheet, rebuilt from its rules; ImageRejected for an at-rule or an
    outside URL."""
    where = _("style sheet")
    rules = []
    for node in tinycss2.parse_stylesheet(text, skip_whitespace=True, skip_comments=True):
        if isinstance(node, ast.AtRule):
            raise ImageRejected(
                _(
                    "The logo's %(where)s uses CSS that is not allowed (@%(rule)s).",
                    where=where,
                    rule=node.at_keyword,
                )
            )
        if not isinstance(node, ast.QualifiedRule):
            continue
        body = tinycss2.parse_blocks_contents(
            node.content, skip_whitespace=True, skip_comments=True
        )
        declarations = _declarations(body, where)
        try:
            selector = _selector(node.prelude)
        except Unsafe:
            continue
        if selector and declarations:
            rules.append(f"{selector}{{{declarations}}}")
    return "\n".join(rules)
