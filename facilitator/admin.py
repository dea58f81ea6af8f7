from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from facilitator import selectors, services
from facilitator.forms import InvitationAdminForm
from facilitator.models import AuditEntry, Invitation, TaskHeartbeat, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "display_name", "is_staff", "is_active", "last_login")
    search_fields = ("email", "display_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("display_name",)}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    # Every change made here is audited with ids only. The admin's add, change and
    # delete views each run in one transaction, so a change and its entry are saved
    # together or not at all.

    def save_related(self, request, form, formsets, change) -> None:
        # After the groups and permissions are saved: the form then knows every change.
        super().save_related(request, form, formsets, change)
        user = form.instance
        if not change:
            services.audit_record(
                actor=request.user,
                action="account.admin_created",
                target=user,
                staff=user.is_staff,
                superuser=user.is_superuser,
            )
            return
        services.account_admin_changes_audit(actor=request.user, user=user, changes=_form_changes(form))

    def delete_model(self, request, obj) -> None:
        with transaction.atomic():
            services.audit_record(actor=request.user, action="account.deleted", target=obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        with transaction.atomic():
            for user in queryset:
                services.audit_record(actor=request.user, action="account.deleted", target=user)
            super().delete_queryset(request, queryset)

    def user_change_password(self, request, id, form_url=""):
        """Audit a password an admin set (or password sign-in they turned off).

        Django's view redirects both after a save and after a conflicting submission,
        so the stored hash, not the response, says whether the password changed."""
        if request.method != "POST":
            return super().user_change_password(request, id, form_url)
        with transaction.atomic():
            user = self.get_object(request, unquote(id))
            passwords = User.objects.select_for_update().filter(pk=user.pk if user else None)
            before = passwords.values_list("password", flat=True).first()
            response = super().user_change_password(request, id, form_url)
            if user is not None and passwords.values_list("password", flat=True).first() != before:
                user.refresh_from_db(fields=["password"])
                action = (
                    "account.password_set_by_admin"
                    if user.has_usable_password()
                    else "account.password_disabled_by_admin"
                )
                services.audit_record(actor=request.user, action=action, target=user)
        return response


def _form_changes(form) -> dict[str, tuple[Any, Any]]:
    """(before, after) of each field the admin changed; related objects as sets of ids.

    From the form, not by reading the row again: a date and time the form shows to
    the second is saved back without its microseconds, which is not a change."""
    changes = {}
    for name in form.changed_data:
        before, after = form.initial.get(name), form.cleaned_data.get(name)
        if name in ("groups", "user_permissions"):
            before = {getattr(item, "pk", item) for item in before or ()}
            after = {item.pk for item in after or ()}
        changes[name] = (before, after)
    return changes


@admin.register(TaskHeartbeat)
class TaskHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("name", "last_run_at", "runs")
    readonly_fields = ("name", "last_run_at", "runs")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only for every admin (staff), whatever their model permissions say."""

    list_display = ("created_at", "action", "actor_id", "target_type", "target_id", "ids")
    list_filter = ("action", "target_type")
    search_fields = ("action", "=actor_id", "=target_id")
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "action", "actor_id", "target_type", "target_id", "ids")
    list_per_page = 100

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Admins invite facilitators here; the email goes out from a worker."""

    form = InvitationAdminForm
    list_display = (
        "email",
        "status_display",
        "invited_by",
        "created_at",
        "sent_at",
        "expires_at",
        "accepted_at",
    )
    search_fields = ("email",)
    readonly_fields = (
        "email",
        "status_display",
        "invited_by",
        "created_at",
        "sent_at",
        "expires_at",
        "accepted_at",
        "user",
    )
    actions = ("send_again",)

    def get_queryset(self, request):
        return selectors.invitations_visible_to(user=request.user)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def get_fields(self, request, obj=None):
        return ("email",) if obj is None else self.readonly_fields

    @admin.display(description=_("status"))
    def status_display(self, obj: Invitation) -> str:
        return obj.status().label

    def has_module_permission(self, request) -> bool:
        return selectors.account_is_admin(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return selectors.account_is_admin(request.user)

    def has_add_permission(self, request) -> bool:
        return selectors.account_is_admin(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting an unaccepted invitation withdraws it; accepted ones stay as a record.
        return selectors.account_is_admin(request.user) and (obj is None or obj.accepted_at is None)

    def save_model(self, request, obj, form, change) -> None:
        created = services.invitation_create(invited_by=request.user, email=form.cleaned_data["email"])
        obj.pk = created.pk
        obj.email = created.email

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class ValidatedForm(form):
            def clean_email(self):
                email = self.cleaned_data["email"]
                if User.objects.filter(email__iexact=email.strip()).exists():
                    raise ValidationError(_("An account with this address already exists."))
                return email

        return ValidatedForm

    @admin.action(description=_("Send the invitation again (a new link, a new expiry)"))
    def send_again(self, request, queryset) -> None:
        count = 0
        for invitation in queryset.filter(accepted_at__isnull=True):
            services.invitation_enqueue(invitation=invitation)
            count += 1
        messages.success(request, _("%(count)d invitation(s) will be sent again.") % {"count": count})


# allauth's own admin shows and edits the authenticator's secret; ours only lists
# them and lets an admin remove one (a "reset": the account sets up a new one at
# its next sign-in), which is audited.
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    list_display = ("user", "type", "created_at", "last_used_at")
    list_filter = ("type",)
    search_fields = ("user__email",)
    fields = ("user", "type", "created_at", "last_used_at")
    readonly_fields = fields
    list_select_related = ("user",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return selectors.account_is_admin(request.user)

    def has_module_permission(self, request) -> bool:
        return selectors.account_is_admin(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return selectors.account_is_admin(request.user)

    def delete_model(self, request, obj) -> None:
        services.authenticator_reset(actor=request.user, authenticator=obj)

    def delete_queryset(self, request, queryset) -> None:
        for authenticator in queryset:
            services.authenticator_reset(actor=request.user, authenticator=authenticator)
