"""Take the README's screenshots from a running demo (``make run``).

Usage: .venv/bin/python docs/screenshots/take.py http://127.0.0.1:8000
It signs in as the demo facilitator (password from $DATA_DIR/demo-credentials.json,
second factor from ``manage.py demo_totp``) and saves PNGs beside this file.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
LAUNCH_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--no-first-run"]


def manage(*args: str) -> str:
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [str(ROOT / ".venv/bin/python"), "manage.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def main(base: str) -> None:
    data_dir = Path(os.environ.get("DATA_DIR", ROOT / "data"))
    passwords = json.loads((data_dir / "demo-credentials.json").read_text())
    email = "facilitator@demo.example"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
        desk = browser.new_page(viewport={"width": 1200, "height": 900})
        desk.goto(f"{base}/accounts/login/")
        desk.get_by_label("Email").fill(email)
        desk.get_by_label("Password").fill(passwords[email]["password"])
        desk.get_by_role("button", name=re.compile("sign in", re.I)).click()
        code = re.search(r"\b(\d{6})\b", manage("demo_totp")).group(1)
        desk.get_by_label(re.compile("code", re.I)).first.fill(code)
        desk.get_by_role("button", name=re.compile("sign in|verify|continue", re.I)).first.click()
        desk.wait_for_load_state()
        desk.screenshot(path=str(OUT / "home.png"), full_page=True)
        desk.get_by_role("link", name=re.compile("Demo: Tuesday", re.I)).first.click()
        desk.screenshot(path=str(OUT / "group.png"), full_page=True)
        member_url = desk.locator("a[href*='/g/'], input[value*='/g/'], code:has-text('/g/')").first
        href = (
            member_url.get_attribute("href") or member_url.get_attribute("value") or member_url.inner_text()
        )
        trends = desk.get_by_role("link", name=re.compile("wellbeing trends", re.I)).first
        trends.click()
        desk.wait_for_load_state()
        desk.screenshot(path=str(OUT / "trends.png"), full_page=True)
        desk.goto(f"{base}/library/")
        desk.screenshot(path=str(OUT / "library.png"), full_page=True)
        session_id = manage(
            "shell",
            "-c",
            "from groups.checkins.models import CheckinWindow as W; "
            "print(W.objects.filter(closed_at=None, opened_at__isnull=False)"
            ".values_list('session_id', flat=True).first())",
        ).split()[-1]
        if session_id.isdigit():
            desk.set_viewport_size({"width": 1280, "height": 720})
            desk.goto(f"{base}/checkins/sessions/{session_id}/screen")
            desk.screenshot(path=str(OUT / "room-screen.png"))
        phone = browser.new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
        phone.goto(href if href.startswith("http") else f"{base}{href[href.index('/g/') :]}")
        phone.screenshot(path=str(OUT / "member-group.png"), full_page=True)
        checkin = re.search(r"/c/[A-Z0-9]{6,}", manage("demo_setup"))
        if checkin:
            phone.goto(f"{base}{checkin.group(0)}")
            phone.screenshot(path=str(OUT / "member-checkin.png"), full_page=True)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8000")
