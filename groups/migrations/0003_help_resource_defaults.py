"""Real helplines for the two deployments we start with (GB and US).

Admins edit, reorder or switch these off in the admin; the migration only adds a
resource that is not there yet, so it never overwrites an admin's edits."""

from django.db import migrations

from groups.help_defaults import DEFAULT_HELP_RESOURCES as DEFAULTS


def add_defaults(apps, schema_editor):
    HelpResource = apps.get_model("groups", "HelpResource")
    for resource in DEFAULTS:
        HelpResource.objects.get_or_create(
            country_code=resource["country_code"], name=resource["name"], defaults=resource
        )


def remove_defaults(apps, schema_editor):
    HelpResource = apps.get_model("groups", "HelpResource")
    for resource in DEFAULTS:
        HelpResource.objects.filter(country_code=resource["country_code"], name=resource["name"]).delete()


class Migration(migrations.Migration):
    dependencies = [("groups", "0002_help_resource")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
