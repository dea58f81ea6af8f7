from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "groups"
    verbose_name = _("Groups and sessions")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from groups.models import HelpResource
        from groups.selectors import help_resources_forget

        post_save.connect(
            help_resources_forget, sender=HelpResource, dispatch_uid="help_resources_forget_save"
        )
        post_delete.connect(
            help_resources_forget, sender=HelpResource, dispatch_uid="help_resources_forget_delete"
        )
