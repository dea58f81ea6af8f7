from django.core.management.base import BaseCommand

from facilitator.demo import demo_login


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo account (the facilitator unless --role admin)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--role", choices=["facilitator", "admin"], default="facilitator")

    def handle(self, *args, role: str, **options) -> None:
        login = demo_login(role)
        self.stdout.write(login.current_code())
