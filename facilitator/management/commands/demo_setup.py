from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse

from content.demo import demo_readings_ensure
from facilitator.demo import DEMO_FACILITATOR_EMAIL, demo_accounts_ensure
from facilitator.models import User
from groups.checkins.demo import demo_checkin_ensure, demo_trends_ensure
from groups.demo import demo_group_ensure


class Command(BaseCommand):
    help = "Create or reuse the demo admin and facilitator, and print their logins."

    def handle(self, *args, **options) -> None:
        for login in demo_accounts_ensure():
            self.stdout.write(f"  {login.role:<12} {login.email:<28} password: {login.password}")
            self.stdout.write(f"  {'':<12} TOTP secret: {login.totp_secret}")
            self.stdout.write(f"  {'':<12} {login.otpauth_uri}")
        self.stdout.write(
            "  The second step of signing in asks for a code: `python manage.py demo_totp` prints it."
        )
        facilitator = User.objects.get(email=DEMO_FACILITATOR_EMAIL)
        group = demo_group_ensure(owner=facilitator)
        demo_readings_ensure(group=group)
        member_url = settings.SITE_URL + reverse("groups:member_group", args=[group.member_token])
        self.stdout.write(f"  Demo group's member page (no login): {member_url}")
        if demo_trends_ensure(group=group):
            self.stdout.write("  Demo group: past check-ins released, so its trend chart has a line.")
        window = demo_checkin_ensure(group=group)
        if window is not None:
            checkin_url = settings.SITE_URL + reverse("checkins:checkin", args=[window.code])
            self.stdout.write(f"  Demo check-in (no login, open now): {checkin_url}")
