"""The lint set-up says what it checks: mypy covers every services.py and
selectors.py, the anonymity boundary and the audit log; the pre-commit hook runs
ruff, ruff format, djLint and mypy from the pinned tools; `make lint` installs only
what linting needs."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _mypy_files() -> set[Path]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    return {path.relative_to(ROOT) for pattern in config["files"] for path in ROOT.glob(pattern)}


def test_mypy_checks_every_service_and_selector_module_and_the_boundaries():
    wanted = {
        path.relative_to(ROOT)
        for package in ("facilitator", "groups", "content")
        for name in ("services.py", "selectors.py")
        for path in (ROOT / package).rglob(name)
    }
    wanted |= {Path("groups/checkins/answers.py"), Path("facilitator/audit.py")}
    assert len(wanted) >= 8
    assert wanted <= _mypy_files(), wanted - _mypy_files()


def test_the_pre_commit_hooks_run_the_pinned_linters_without_downloading():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    assert [repo["repo"] for repo in config["repos"]] == ["local"]
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert {"ruff", "ruff-format", "djlint", "mypy"} <= set(hooks)
    for hook in hooks.values():
        assert hook["language"] == "system" and hook["entry"].startswith(".venv/bin/"), hook["id"]


def test_make_lint_installs_the_lint_tools_and_not_the_test_stack():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^lint: install-lint$", makefile, flags=re.M)
    lint_pins = (ROOT / "requirements" / "lint.txt").read_text()
    for tool in ("ruff", "djlint", "mypy", "django-stubs"):
        assert re.search(rf"^{tool}==", lint_pins, flags=re.M), tool
    for test_only in ("pytest", "playwright", "hypothesis"):
        assert not re.search(rf"^{test_only}==", lint_pins, flags=re.M), test_only
