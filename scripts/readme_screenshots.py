"""Refresh the README's screenshots from the browser journeys' own screenshots.

Run the journeys first (they save every page at 1280 and 360 px in tests/artifacts/screenshots):

    CI=true .venv/bin/python -m pytest -p no:cacheprovider tests/e2e/test_journeys.py
    .venv/bin/python scripts/readme_screenshots.py

The README shows the therapist's caseload and the certificate just issued (1280 px), and the
participant's Today page on a phone (360 px, its first screenful and a half).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "tests" / "artifacts" / "screenshots"
OUT = ROOT / "docs" / "screenshots"

# README image -> (the journey screenshot's name ends with, the height kept in pixels or None)
PICTURES = {
    "caseload.png": ("-caseload-with-the-new-participant--1280px.png", None),
    "certificate.png": ("-the-certificate-issued--1280px.png", None),
    "participant-progress-phone.png": ("-participant-home-with-the-celebration--360px.png", 1560),
}


def main() -> int:
    missing = []
    for target, (suffix, height) in PICTURES.items():
        found = sorted(SHOTS.glob(f"journeys-*{suffix}"))
        if not found:
            missing.append(suffix)
            continue
        image = Image.open(found[-1]).convert("RGB")
        if height is not None and image.height > height:
            image = image.crop((0, 0, image.width, height))
        image.save(OUT / target, optimize=True)
        print(f"{target}: {image.width}x{image.height} from {found[-1].name}")
    if missing:
        print("Run tests/e2e/test_journeys.py first; not found: " + ", ".join(missing))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
