"""A web server whose database refuses every connection (tests/browser/test_member_outage.py):
DATABASE_URL points at a port nothing listens on. Static files come from the apps'
folders, so the pages look as they do in production without collectstatic."""

from facilitator.settings.test import *  # noqa: F403

WHITENOISE_USE_FINDERS = True
# As in production: the site's own error pages, not Django's debugging ones.
DEBUG = False
