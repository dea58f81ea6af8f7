from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckinsConfig(AppConfig):
    name = "groups.checkins"
    label = "checkins"
    verbose_name = _("Check-ins")
    default_auto_field = "django.db.models.BigAutoField"
