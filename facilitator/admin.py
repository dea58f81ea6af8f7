from datetime import datetime, timedelta
from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from facilitator import health, selectors, services
from facilitator.audit import audit_record
from facilitator.forms import InvitationAdminForm
from facilitator.models import AuditEntry, Invitation, TaskHeartbeat, User
from groups.selectors import reminders_given_up_count


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
    actions = ("send_second_factor_setup_link",)

    @admin.action(description=_("Email a link to set up a second step (accounts without one)"))
    def send_second_factor_setup_link(self, request, queryset) -> None:
        sent = 0
        for user in queryset:
            if not selectors.account_has_second_factor(user):
                services.second_factor_setup_create(actor=request.user, user=user)
                sent += 1
        messages.success(
            request,
            _("%(count)d setup link(s) will be sent. Accounts that have a second step were left alone.")
            % {"count": sent},
        )

    # Every change made here is audited with ids only. The admin's add, change and
    # delete views each run in one transaction, so a change and its entry are saved
    # together or not at all.

    def save_related(self, request, form, formsets, change) -> None:
        # After the groups and permissions are saved: the form then knows every change.
        super().save_related(request, form, formsets, change)
        user = form.instance
        if not change:
            audit_record(
                actor=request.user,
                action="account.admin_created",
                target=user,
                staff=user.is_staff,
                superuser=user.is_superuser,
            )
            return
        changes = _form_changes(form)
        if "email" in changes:
            services.account_email_set_by_admin(user=user)
        services.account_admin_changes_audit(actor=request.user, user=user, changes=changes)

    def delete_model(self, request, obj) -> None:
        with transaction.atomic():
            audit_record(actor=request.user, action="account.deleted", target=obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        with transaction.atomic():
            for user in queryset:
                audit_record(actor=request.user, action="account.deleted", target=user)
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
                audit_record(actor=request.user, action=action, target=user)
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


# --- Periodic tasks (the admin's view of manage.py jobs_status) ----------------------


def _every_text(every: timedelta) -> str:
    minutes = int(every.total_seconds() // 60)
    if minutes and minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("every hour", "every %(count)d hours", hours) % {"count": hours}
    return ngettext("every minute", "every %(count)d minutes", minutes) % {"count": minutes}


# What each kind of overdue work from health.overdue_work() is, for an admin. A kind
# added there without a label here still shows, by its key.
_OVERDUE_LABELS = {
    "reminders_due_unsent": _("Reminder emails due and not sent (waiting, retrying, or given up)"),
    "windows_past_close_not_closed": _("Check-ins past their closing time and still open"),
    "closed_windows_without_rollup": _("Closed check-ins whose results are not yet computed"),
    "invitations_unsent": _("Invitations waiting to be sent"),
    "exports_waiting": _("Trend exports waiting to run"),
    "exports_stuck_running": _("Trend exports whose worker stopped"),
    "comments_past_retention": _("Check-in comments past their retention, not yet blanked"),
    "released_comments_past_retention": _("Released comments past their retention, not yet deleted"),
    "responses_past_retention": _("Check-in answers past their retention, not yet deleted"),
}
_GIVEN_UP_WINDOW = timedelta(days=7)


def _jobs_summary(*, now: datetime) -> dict[str, list[dict[str, Any]]]:
    """The periodic tasks that are not running on time and the work that is overdue."""
    late_tasks = []
    for row in health.periodic_tasks_status():
        every = timedelta(seconds=row["every_seconds"])
        completed = row["last_completed"]
        if row["in_beat_schedule"] and not row["enabled"]:
            problem = _("disabled under Periodic tasks")
        elif completed is None:
            problem = _("has not finished a run yet")
        elif now - completed > health.late_after(every):
            problem = _("last finished %(time)s ago") % {"time": timesince(completed, now)}
        else:
            continue
        late_tasks.append({"name": row["name"], "every": _every_text(every), "problem": problem})
    overdue = [
        {"label": _OVERDUE_LABELS.get(kind, kind.replace("_", " ")), "count": count}
        for kind, count in health.overdue_work(now=now).items()
        if count
    ]
    given_up = reminders_given_up_count(since=now - _GIVEN_UP_WINDOW)
    if given_up:
        overdue.append(
            {
                "label": _("Reminder emails given up on after repeated failures, in the last 7 days"),
                "count": given_up,
            }
        )
    return {"late_tasks": late_tasks, "overdue": overdue}


@admin.register(TaskHeartbeat)
class TaskHeartbeatAdmin(admin.ModelAdmin):
    """When each periodic task last finished; above the list, what is overdue."""

    change_list_template = "admin/facilitator/taskheartbeat/change_list.html"
    list_display = ("name", "every_display", "last_run_at", "ago_display", "state_display", "runs")
    readonly_fields = ("name", "last_run_at", "runs")
    ordering = ("name",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # written by the tasks only

    @admin.display(description=_("scheduled"))
    def every_display(self, obj: TaskHeartbeat) -> str:
        every = health.schedule_every(obj.name)
        return _every_text(every) if every else _("not in the schedule")

    @admin.display(description=_("how long ago"), ordering="-last_run_at")
    def ago_display(self, obj: TaskHeartbeat) -> str:
        return _("%(time)s ago") % {"time": timesince(obj.last_run_at)}

    @admin.display(description=_("on time?"))
    def state_display(self, obj: TaskHeartbeat) -> str:
        every = health.schedule_every(obj.name)
        if every is None:
            return "-"
        if timezone.now() - obj.last_run_at > health.late_after(every):
            return format_html("<strong>{}</strong>", _("Overdue"))
        return _("On time")

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            return super().changelist_view(request, extra_context)  # refuses
        summary = _jobs_summary(now=timezone.now())
        return super().changelist_view(request, {"jobs_summary": summary, **(extra_context or {})})


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
# them and lets an admin remove one (a "reset", audited): the account is then emailed
# a single-use link to set up a new one, since its password alone signs nothing in.
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
