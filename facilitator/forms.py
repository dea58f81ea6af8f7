from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from facilitator.models import User
from facilitator.validators import PASSWORD_MAX_LENGTH


class InvitationAcceptForm(forms.Form):
    display_name = forms.CharField(
        label=_("Your name"),
        max_length=80,
        help_text=_("Shown to your co-facilitators and admins, never to members."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        help_text=_(
            "At least 8 characters; a long passphrase is best. Pasting from a password manager works."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Type the password again"),
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords are not the same."))
        elif password1:
            candidate = User(email=self.email, display_name=cleaned.get("display_name", ""))
            try:
                password_validation.validate_password(password1, user=candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class InvitationAdminForm(forms.ModelForm):
    class Meta:
        fields = ("email",)
        help_texts = {"email": _("The new facilitator's address. The invitation link is emailed to it.")}
