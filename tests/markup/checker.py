"""Run the Nu Html Checker once over many pages and say what it found, page by page."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Finding:
    page: str
    kind: str  # "error" or "warning" ("info" messages are dropped)
    line: int | None
    message: str
    extract: str

    def __str__(self) -> str:
        where = f" line {self.line}" if self.line else ""
        extract = " ".join(self.extract.split())
        return f"{self.page}:{where} {self.kind}: {self.message} [{extract}]"


def _file_name(index: int, page: str) -> str:
    return f"{index:04d}-{re.sub(r'[^A-Za-z0-9_.-]+', '_', page)[:80]}.html"


def check(pages: dict[str, str], *, java: str, jar: Path) -> list[Finding]:
    """Every error and warning the checker reports for ``pages`` (label -> HTML)."""
    with tempfile.TemporaryDirectory(prefix="markup-") as directory:
        labels: dict[str, str] = {}
        for index, (page, html) in enumerate(pages.items()):
            name = _file_name(index, page)
            (Path(directory) / name).write_text(html, encoding="utf-8")
            labels[name] = page
        # --exit-zero-always: findings are read from the report, not the exit status.
        result = subprocess.run(
            [java, "-Xss4m", "-jar", str(jar), "--format", "json", "--exit-zero-always", directory],
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
    if result.returncode != 0 or not result.stderr.strip().startswith("{"):
        raise RuntimeError(f"vnu.jar failed ({result.returncode}): {result.stderr[:2000]}")
    findings = []
    for message in json.loads(result.stderr)["messages"]:
        kind = message.get("subType") if message["type"] == "info" else message["type"]
        if message["type"] == "non-document-error":
            kind = "error"
        if kind not in ("error", "warning", "fatal"):
            continue
        page = labels.get(Path(message.get("url", "")).name, message.get("url", "?"))
        findings.append(
            Finding(
                page=page,
                kind="error" if kind == "fatal" else kind,
                line=message.get("lastLine"),
                message=message.get("message", ""),
                extract=message.get("extract", ""),
            )
        )
    return findings
