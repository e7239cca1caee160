"""The README and docs/ point only at files that exist in the repository (issue #12: the README
sent readers to ../shared/DESIGN.md, which a clone does not have)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")  # [text](target)
FILE_IN_CODE = re.compile(r"`((?:\.\./|\./|docs/)[^`\s]*\.md)`")  # `../shared/DESIGN.md`
EXTERNAL = ("http://", "https://", "mailto:", "#")


def relative_targets(page: Path) -> list[str]:
    text = page.read_text()
    targets = LINK.findall(text) + FILE_IN_CODE.findall(text)
    return [target.split("#")[0] for target in targets if not target.startswith(EXTERNAL)]


def test_there_are_docs_to_check():
    assert {"architecture.md", "conventions.md"} <= {page.name for page in PAGES}


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_relative_link_points_to_a_file_of_the_repository(page):
    missing = []
    for target in relative_targets(page):
        resolved = (page.parent / target).resolve()
        if not resolved.exists() or ROOT not in resolved.parents:
            missing.append(target)
    assert missing == []
