from pathlib import Path

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class FacilitatorConfig(AppConfig):
    name = "facilitator"
    verbose_name = _("Accounts and operations")

    def ready(self) -> None:
        from facilitator import checks, signals  # noqa: F401  (registers the checks, connects the audit receivers)

        # The embedded defaults keep their files under DATA_DIR; make sure the
        # folders exist before the web server, worker or beat first touch them.
        if settings.CELERY_BROKER_URL.startswith("filesystem://"):
            options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
            for key in ("data_folder_in", "data_folder_out", "control_folder"):
                Path(options[key]).mkdir(parents=True, exist_ok=True)
        if not settings.PRODUCTION:
            Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
