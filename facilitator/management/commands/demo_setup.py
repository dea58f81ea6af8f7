from django.core.management.base import BaseCommand

from facilitator.demo import demo_accounts_ensure


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
