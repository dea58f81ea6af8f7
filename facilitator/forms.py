from allauth.account.adapter import get_adapter
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth import password_validation
from django.contrib.auth.forms import ReadOnlyPasswordHashWidget
from django.db.models import Q
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext_lazy as _

from facilitator.models import User
from facilitator.services import password_reset_request
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


class BoundField(forms.BoundField):
    """Every form field on the site (FormRenderer below), with three faults of
    Django's own widgets mended so that every page is valid HTML."""

    def build_widget_attrs(self, attrs, widget=None):
        widget = widget or self.field.widget
        attrs = super().build_widget_attrs(attrs, widget)
        if widget.is_hidden:
            # Django describes the hidden copy of a field's first value
            # (show_hidden_initial) like the field itself: aria-* is not allowed on
            # a hidden input, and no one reads it there.
            attrs = {name: value for name, value in attrs.items() if not name.startswith("aria-")}
        if isinstance(widget, ReadOnlyPasswordHashWidget):
            # The admin's "password" is a div of text, which cannot be disabled.
            attrs.pop("disabled", None)
        # The admin wraps it to add its "+" and pencil links.
        if isinstance(getattr(widget, "widget", widget), AutocompleteSelect):
            # Its options arrive by script, so the select is sent out with no empty
            # option, which a required select must have. The server still insists.
            attrs.pop("required", None)
        return attrs


class FormRenderer(DjangoTemplates):
    bound_field_class = BoundField


class ResetPasswordForm(AllauthResetPasswordForm):
    """allauth's form, sending through a worker: the same row and publish for an
    address with or without an account, so the answer and its time say nothing
    about who has one; the worker mails only an account
    (``services.password_reset_request``)."""

    def clean_email(self) -> str:
        """The account of this address, in one query whether or not there is one: its
        own address, or a confirmed extra address (allauth's lookup takes a second
        query only when the first finds nothing, which a stopwatch could tell)."""
        email = get_adapter().clean_email(self.cleaned_data["email"].strip().lower())
        self.users = list(
            User.objects.filter(is_active=True)
            .filter(
                Q(email__iexact=email) | Q(emailaddress__email__iexact=email, emailaddress__verified=True)
            )
            .distinct()
            .order_by("pk")[:1]
        )
        return self.cleaned_data["email"]

    def save(self, request, **kwargs) -> str:
        password_reset_request(user=self.users[0] if self.users else None)
        return self.cleaned_data["email"]
