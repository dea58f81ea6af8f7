from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """No open sign-up: facilitators join only through an admin's invitation."""

    def is_open_for_signup(self, request) -> bool:
        return False
