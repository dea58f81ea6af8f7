import base64
import hashlib
import hmac
import ipaddress
from http import HTTPStatus

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.stagekit import clear_login
from allauth.core.internal.httpkit import get_client_ip
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from facilitator.selectors import account_has_second_factor


def client_fingerprint(request) -> str:
    """A keyed hash of the client's network, never the address itself.

    allauth keys its per-client rate limits on this value, so the cache never holds
    an IP address. IPv6 clients are grouped by their /64, as allauth does.
    """
    ip = get_client_ip(request)
    if not ip:
        raise PermissionDenied("Unable to determine the client address")
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        network = ip.strip()
    else:
        network = (
            str(ipaddress.ip_network(f"{address}/64", strict=False)) if address.version == 6 else str(address)
        )
    digest = hmac.new(settings.SECRET_KEY.encode(), network.encode(), hashlib.sha256).hexdigest()
    return f"client-{digest[:32]}"


class AccountAdapter(DefaultAccountAdapter):
    """No open sign-up: facilitators join only through an admin's invitation."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def get_client_ip(self, request) -> str:
        return client_fingerprint(request)

    def get_http_user_agent(self, request) -> str:
        # Never recorded anywhere (allauth would put it in notification emails).
        return ""

    def pre_login(self, request, user, **kwargs):
        """A password is never enough: an account without a second factor is not
        signed in (it would be one step from enrolling the thief's authenticator).
        It gets one through a setup link emailed to its address."""
        response = super().pre_login(request, user, **kwargs)
        if response is not None:
            return response
        if not account_has_second_factor(user):
            clear_login(request)
            return render(request, "account/second_factor_missing.html", status=HTTPStatus.FORBIDDEN)
        return None


class MFAAdapter(DefaultMFAAdapter):
    """A second factor is required, so the last one cannot be removed by its owner.

    An admin removes a lost authenticator in the admin; the account is then sent
    to set up a new one at its next sign-in.
    """

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": _(
            "Your authenticator app is this account's only second step, so it cannot be turned off. "
            "Moving to a new phone? Ask an admin to reset it; "
            "you will set up the new phone at your next sign-in."
        ),
    }

    # TOTP secrets and recovery-code seeds are encrypted at rest, so a copy of the
    # database alone cannot produce codes. Values written before this existed are
    # plain text without the prefix and are still read.
    _PREFIX = "fernet:"

    @staticmethod
    def _fernet() -> Fernet:
        material = (settings.MFA_ENCRYPTION_KEY or settings.SECRET_KEY).encode()
        return Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"facilitator.mfa:" + material).digest()))

    def encrypt(self, text: str) -> str:
        return self._PREFIX + self._fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        if not encrypted_text.startswith(self._PREFIX):
            return encrypted_text
        return self._fernet().decrypt(encrypted_text.removeprefix(self._PREFIX).encode()).decode()

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if authenticator.type == Authenticator.Type.RECOVERY_CODES:
            return True
        others = Authenticator.objects.filter(
            user_id=authenticator.user_id, type__in=(Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
        ).exclude(pk=authenticator.pk)
        return others.exists()
