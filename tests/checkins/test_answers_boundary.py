"""The anonymity boundary is one module: ``groups/checkins/answers.py`` alone reads
and writes the raw answers. Every other module of the site (and the benchmark, which
generates answers) is read for the answer models' names and for lookups that reach
them through a relation; one found is a failure naming the file and line."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("facilitator", "groups", "content", "bench")
BOUNDARY = Path("groups/checkins/answers.py")
MODELS = Path("groups/checkins/models.py")
RAW_MODELS = {"Response", "Answer"}
# Lookups from other models into the answers (a session's ``checkin_responses``, an
# answer's ``response__``).
RELATION_NAMES = ("checkin_responses", "response__")
# Allowed, with the reason.
ALLOWED = {
    # The benchmark's floor: one bare INSERT into the responses table through the same
    # server, the cost a check-in is measured against (not part of the site).
    (Path("bench/views.py"), "Response"),
}


def _sources() -> list[Path]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts or relative in {BOUNDARY, MODELS}:
                continue
            found.append(relative)
    return found


def _touches(tree: ast.AST) -> list[tuple[int, str]]:
    hits = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "groups.checkins.models":
            hits += [(node.lineno, alias.name) for alias in node.names if alias.name in RAW_MODELS | {"*"}]
        elif isinstance(node, ast.Attribute) and node.attr in RAW_MODELS | {"checkin_responses"}:
            hits.append((node.lineno, node.attr))
        elif isinstance(node, ast.keyword) and node.arg and node.arg.startswith(RELATION_NAMES):
            hits.append((node.lineno, node.arg))
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and (node.value.startswith(RELATION_NAMES) or node.value == "checkin_responses")
        ):
            hits.append((node.lineno, node.value))
    return hits


def test_only_the_boundary_module_touches_the_raw_answers():
    found = []
    for path in _sources():
        for line, name in _touches(ast.parse((ROOT / path).read_text(), filename=str(path))):
            if (path, name) not in ALLOWED:
                found.append(f"{path}:{line}: {name}")
    assert not found, "raw answers touched outside groups/checkins/answers.py:\n" + "\n".join(found)


def test_the_check_finds_what_it_looks_for():
    """The walk is not blind: each kind of access it refuses is found in a sample."""
    sample = ast.parse(
        "from groups.checkins.models import Answer\n"
        "from groups.checkins import models\n"
        "models.Response.objects.count()\n"
        "session.checkin_responses.count()\n"
        "Session.objects.filter(checkin_responses__isnull=False)\n"
        "Thing.objects.values_list('response__session_id')\n"
    )
    names = {name for _line, name in _touches(sample)}
    assert names == {
        "Answer",
        "Response",
        "checkin_responses",
        "checkin_responses__isnull",
        "response__session_id",
    }


def test_the_boundary_module_is_where_the_models_are_used():
    text = (ROOT / BOUNDARY).read_text()
    assert "Response.objects" in text and "Answer.objects" in text
    assert _sources(), "no sources found: the walk would pass on nothing"
