from django.db import migrations

# Every text a form saves is kept with "\n" line ends (facilitator.middleware.
# LineEndingsMiddleware); texts saved before that may hold CR LF.
TEXTS = {
    "Reading": ("passage", "prompts", "summary", "content_note"),
    "SessionNote": ("text",),
    "SessionReading": ("note",),
}


def normalise_line_endings(apps, schema_editor):
    for name, fields in TEXTS.items():
        model = apps.get_model("content", name)
        for row in model.objects.only("pk", *fields).iterator():
            changed = {}
            for field in fields:
                value = getattr(row, field) or ""
                if "\r" in value:
                    changed[field] = value.replace("\r\n", "\n").replace("\r", "\n")
            if changed:
                model.objects.filter(pk=row.pk).update(**changed)


class Migration(migrations.Migration):
    dependencies = [("content", "0003_https_url_fields")]

    operations = [migrations.RunPython(normalise_line_endings, migrations.RunPython.noop)]
