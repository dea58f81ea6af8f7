"""A file email backend the fault suite can hold in the middle of sending.

While the file ``DATA_DIR/pause-mail`` exists, a send first touches
``DATA_DIR/mail-started`` and then waits (at most two minutes), so the test knows a
task is mid-send and can kill its worker there.
"""

import time
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.filebased import EmailBackend

MAX_PAUSE_SECONDS = 120


class PausableFileBackend(EmailBackend):
    def send_messages(self, email_messages):
        pause = Path(settings.DATA_DIR) / "pause-mail"
        if pause.exists():
            (Path(settings.DATA_DIR) / "mail-started").touch()
            deadline = time.monotonic() + MAX_PAUSE_SECONDS
            while pause.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
        return super().send_messages(email_messages)
