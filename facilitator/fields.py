from django.db import models


class HttpsURLField(models.URLField):
    """A URL field whose forms read a bare "example.org" as https://, as Django 6 will."""

    def formfield(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        return super().formfield(**kwargs)
