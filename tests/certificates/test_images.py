"""Uploaded logos and signatures are judged by their content; SVGs cannot run script or fetch."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from heartbeat.certificates import images

SAFE_SVG = b"""<?xml version="1.0" encoding="UTF-8"?>
<!-- made in an editor -->
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
     viewBox="0 0 100 40" inkscape:version="1.3">
  <metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></metadata>
  <defs><linearGradient id="g"><stop offset="0" stop-color="#0b5563"/></linearGradient></defs>
  <style>.a { fill: url(#g); }</style>
  <g inkscape:label="Layer 1" data-x="1">
    <rect class="a" width="100" height="40" rx="6"/>
    <circle id="dot" cx="20" cy="20" r="8" fill="#fff"/>
    <use href="#dot" x="60"/>
    <text x="50" y="25" font-size="10">Riverside</text>
  </g>
</svg>"""


def png_bytes(size=(20, 10), mode="RGBA", **info) -> bytes:
    out = io.BytesIO()
    colour = {"RGBA": (11, 85, 99, 255), "RGB": (11, 85, 99), "L": 80}[mode]
    Image.new(mode, size, colour).save(out, format="PNG", **info)
    return out.getvalue()


def test_a_png_logo_is_accepted_and_re_encoded():
    original = png_bytes()
    data, mime = images.clean_logo(original)
    assert mime == "image/png"
    assert data.startswith(images.PNG_MAGIC)
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (20, 10)


def test_a_logo_is_flattened_onto_white_and_shrunk_to_print_size():
    out = io.BytesIO()
    image = Image.new("RGBA", (3000, 1000), (0, 0, 0, 0))
    image.paste((11, 85, 99, 255), (0, 0, 1500, 1000))
    image.save(out, format="PNG")
    data, _ = images.clean_logo(out.getvalue())
    with Image.open(io.BytesIO(data)) as clean:
        assert clean.mode == "RGB"
        assert clean.size == (720, 240)
        assert clean.getpixel((10, 10)) == (11, 85, 99)
        assert clean.getpixel((700, 200)) == (255, 255, 255)  # was transparent


def test_text_hidden_in_a_png_is_dropped():
    from PIL import PngImagePlugin

    meta = PngImagePlugin.PngInfo()
    meta.add_text("Comment", "<script>alert(1)</script>")
    data, _ = images.clean_logo(png_bytes(pnginfo=meta))
    assert b"<script>" not in data


def test_a_renamed_executable_is_refused_whatever_its_name():
    elf = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200
    with pytest.raises(images.ImageRejected, match="PNG or SVG"):
        images.clean_logo(elf)
    with pytest.raises(images.ImageRejected, match="not a PNG"):
        images.clean_signature(elf)
    windows = b"MZ\x90\x00" + b"\x00" * 200
    with pytest.raises(images.ImageRejected):
        images.clean_logo(windows)


def test_a_png_header_on_rubbish_is_refused():
    with pytest.raises(images.ImageRejected, match="could not be read"):
        images.clean_logo(images.PNG_MAGIC + b"\x00" * 100)


def test_files_over_the_size_limit_are_refused():
    with pytest.raises(images.ImageRejected, match="larger than 512 KB"):
        images.clean_logo(images.PNG_MAGIC + b"\x00" * (images.MAX_LOGO_BYTES + 1))
    with pytest.raises(images.ImageRejected, match="larger than 256 KB"):
        images.clean_signature(images.PNG_MAGIC + b"\x00" * (images.MAX_SIGNATURE_BYTES + 1))


def test_an_enormous_image_is_refused_before_decoding():
    with pytest.raises(images.ImageRejected, match="too large"):
        images.clean_logo(png_bytes(size=(5000, 4000), mode="L"))


def test_a_safe_svg_keeps_its_drawing_and_loses_editor_metadata():
    data, mime = images.clean_logo(SAFE_SVG)
    text = data.decode()
    assert mime == "image/svg+xml"
    for kept in ("<rect", "<circle", "linearGradient", "Riverside", 'href="#dot"', "url(#g)"):
        assert kept in text, kept
    for dropped in ("inkscape", "metadata", "rdf:RDF", "data-x", "<!--", "<?xml"):
        assert dropped not in text, dropped


@pytest.mark.parametrize(
    ("svg", "message"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "script"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1" onload="alert(1)"/>',
            "event handler",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1">'
            b'<rect onclick="x()"/></svg>',
            "event handler",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1">'
            b'<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject></svg>',
            "foreignObject",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            b'viewBox="0 0 1 1"><image xlink:href="file:///etc/passwd"/></svg>',
            "image",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            b'viewBox="0 0 1 1"><use xlink:href="http://127.0.0.1:8000/x.svg#a"/></svg>',
            "outside file",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1">'
            b'<style>@import url("http://127.0.0.1/x.css");</style></svg>',
            "not allowed",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1">'
            b'<rect style="fill: url(http://127.0.0.1/p.png)"/></svg>',
            "outside file",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1">'
            b'<rect fill="url(file:///etc/passwd)"/></svg>',
            "outside file",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1">'
            b'<a href="javascript:alert(1)"><rect/></a></svg>',
            "link",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "xxxxxxxx">]>'
            b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><text>&x;</text></svg>',
            "DTD",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE svg SYSTEM "http://127.0.0.1/evil.dtd">'
            b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>',
            "DTD",
        ),
        (b"<svg><rect/></svg>", "not an SVG"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><rect/>', "could not be read"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>', "no size"),
    ],
)
def test_an_unsafe_or_broken_svg_is_refused_with_a_reason(svg, message):
    with pytest.raises(images.ImageRejected, match=message):
        images.clean_logo(svg)


def test_contrast_on_white_follows_wcag():
    assert images.contrast_on_white("#000000") == pytest.approx(21.0)
    assert images.contrast_on_white("#ffffff") == pytest.approx(1.0)
    assert images.contrast_on_white("#0b5563") > 4.5
    assert images.contrast_on_white("#ffbf47") < 4.5
    assert images.contrast_on_white("#767676") == pytest.approx(4.54, abs=0.01)
