"""The repository explains itself from a fresh clone: the README and docs/ point only
at files inside it, and every file path they name exists."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# A path in backticks: at least one slash or a known top-level file, no placeholder.
TOP = {
    "facilitator",
    "groups",
    "content",
    "templates",
    "tests",
    "deploy",
    "docs",
    "bench",
    "requirements",
    ".ci",
}
# Made by the set-up or a run, absent from a fresh clone.
MADE_BY_SETUP = ("bench/results", "requirements/node_modules")
PATH = re.compile(r"`((?:[\w.-]+/)+[\w.-]*|[\w-]+\.(?:md|toml|yaml|py))`")


def test_the_docs_point_at_nothing_outside_the_repository():
    for doc in DOCS:
        text = doc.read_text()
        assert "../" not in text, f"{doc.name} points outside the repository"


def test_every_file_path_the_docs_name_exists():
    missing, checked = [], 0
    for doc in DOCS:
        for path in PATH.findall(doc.read_text()):
            # Paths from the top of the repository (a bare "rollups.py" in a sentence
            # about its package is read in context, not here).
            if path.split("/")[0] not in TOP or "<" in path or path.startswith(MADE_BY_SETUP):
                continue
            checked += 1
            if not (ROOT / path).exists():
                missing.append(f"{doc.name}: {path}")
    assert checked >= 30, checked
    assert not missing, "\n".join(missing)
