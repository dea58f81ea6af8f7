"""SessionSeries keeps its first wall-clock start as a date and a time instead of a
naive value in a DateTimeField (which Django would read as an instant in UTC)."""

from django.db import migrations, models


def split_first_local_start(apps, schema_editor):
    SessionSeries = apps.get_model("groups", "SessionSeries")
    for series in SessionSeries.objects.all():
        # Stored naive and read back in the default time zone (UTC): the clock
        # values are the wall-clock ones.
        local = series.first_local_start.replace(tzinfo=None)
        series.first_date = local.date()
        series.start_time = local.time()
        series.save(update_fields=["first_date", "start_time"])


class Migration(migrations.Migration):
    dependencies = [("groups", "0004_series_reminders_preferences")]

    operations = [
        migrations.AddField(
            model_name="sessionseries",
            name="first_date",
            field=models.DateField(null=True, verbose_name="first date"),
        ),
        migrations.AddField(
            model_name="sessionseries",
            name="start_time",
            field=models.TimeField(null=True, verbose_name="start time"),
        ),
        migrations.RunPython(split_first_local_start, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="sessionseries",
            name="first_date",
            field=models.DateField(verbose_name="first date"),
        ),
        migrations.AlterField(
            model_name="sessionseries",
            name="start_time",
            field=models.TimeField(verbose_name="start time"),
        ),
        migrations.RemoveField(model_name="sessionseries", name="first_local_start"),
    ]
