"""Real helplines for the two deployments we start with (GB and US).

Admins edit, reorder or switch these off in the admin; the migration only adds a
resource that is not there yet, so it never overwrites an admin's edits."""

from django.db import migrations

DEFAULTS = [
    {
        "country_code": "GB",
        "order": 10,
        "name": "National Domestic Abuse Helpline",
        "phone": "0808 2000 247",
        "text_line": "",
        "website": "https://www.nationaldahelpline.org.uk/",
        "hours": "24 hours, free",
        "description": "Confidential support for anyone experiencing domestic abuse, run by Refuge.",
    },
    {
        "country_code": "GB",
        "order": 20,
        "name": "Samaritans",
        "phone": "116 123",
        "text_line": "",
        "website": "https://www.samaritans.org/",
        "hours": "24 hours, free",
        "description": "Someone to talk to, whatever you are going through.",
    },
    {
        "country_code": "US",
        "order": 10,
        "name": "988 Suicide & Crisis Lifeline",
        "phone": "988",
        "text_line": "Text 988",
        "website": "https://988lifeline.org/",
        "hours": "24 hours, free",
        "description": "Call or text 988 for free, confidential support in a crisis.",
    },
    {
        "country_code": "US",
        "order": 20,
        "name": "National Domestic Violence Hotline",
        "phone": "1-800-799-7233",
        "text_line": "Text START to 88788",
        "website": "https://www.thehotline.org/",
        "hours": "24 hours, free",
        "description": "Confidential support for anyone affected by relationship abuse.",
    },
]


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
