"""Password validators of our own, listed in settings.AUTH_PASSWORD_VALIDATORS so that
every form that sets a password (invitation, change, reset) applies them."""

from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

# Long passphrases and password managers are welcome; the cap only stops abuse.
PASSWORD_MAX_LENGTH = 256


class MaximumLengthValidator:
    """Refuse absurdly long passwords (hashing megabytes is a denial of service)."""

    def __init__(self, max_length: int = PASSWORD_MAX_LENGTH) -> None:
        self.max_length = max_length

    def validate(self, password: str, user=None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "This password is too long: use at most %(max_length)d character.",
                    "This password is too long: use at most %(max_length)d characters.",
                    self.max_length,
                ),
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self) -> str:
        return ngettext(
            "Your password can have up to %(max_length)d character.",
            "Your password can have up to %(max_length)d characters.",
            self.max_length,
        ) % {"max_length": self.max_length}
