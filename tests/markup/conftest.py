"""The markup check: every page we render, through the Nu Html Checker (vnu.jar).

vnu.jar comes from the pinned ``vnu-jar`` npm package (requirements/package.json,
installed by ``make install-markup``) and runs on the machine's Java (Debian:
``apt-get install default-jre-headless``). Outside CI a missing jar or Java skips the
check with that hint; under CI (CI=true) it fails instead, never skips.
"""

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = Path(os.environ.get("VNU_JAR", ROOT / "requirements/node_modules/vnu-jar/build/dist/vnu.jar"))


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.markup)


@pytest.fixture(scope="session")
def java_and_vnu() -> tuple[str, Path]:
    java = shutil.which("java")
    missing = []
    if java is None:
        missing.append("Java ('apt-get install default-jre-headless')")
    if not VNU_JAR.exists():
        missing.append(f"{VNU_JAR} ('make install-markup')")
    if missing:
        message = "The markup check needs " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return java, VNU_JAR
