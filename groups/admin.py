from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from facilitator.admin_singleton import SingletonModelAdmin
from groups import services
from groups.models import (
    AccessibilityStatement,
    FacilitatorPreference,
    Group,
    GroupFacilitator,
    HelpResource,
    Reminder,
    Session,
)


class GroupFacilitatorInline(admin.TabularInline):
    model = GroupFacilitator
    extra = 0
    autocomplete_fields = ("user",)


class ArchivedFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", _("Active")), ("archived", _("Archived"))]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.filter(archived_at__isnull=True)
        if self.value() == "archived":
            return queryset.filter(archived_at__isnull=False)
        return queryset


class NoDeleteMixin:
    """Groups and sessions are never deleted here: a delete would cascade to their
    sessions, check-in answers and rollups, and a session that vanishes from a calendar
    feed stays in subscribers' calendars instead of showing as cancelled."""

    no_delete_hint = ""
    change_list_template = "admin/groups/change_list_no_delete.html"

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(
            request, {"no_delete_hint": self.no_delete_hint, **(extra_context or {})}
        )

    def get_fieldsets(self, request, obj=None):
        # Said again above the form, where the Delete button would have been.
        (name, options), *rest = super().get_fieldsets(request, obj)
        return [(name, {**options, "description": self.no_delete_hint}), *rest]


@admin.register(Group)
class GroupAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ("name", "timezone", "meeting_mode", "archived_at")
    search_fields = ("name",)
    list_filter = ("meeting_mode", ArchivedFilter)
    inlines = [GroupFacilitatorInline]
    actions = ["archive_selected", "restore_selected"]
    no_delete_hint = _(
        "Groups are archived, never deleted: their history stays. "
        "Use “Archive selected groups” here or Archive on the group's own page."
    )

    @admin.action(description=_("Archive selected groups (their history is kept)"))
    def archive_selected(self, request, queryset) -> None:
        for group in queryset:
            services.group_archive(group=group, actor=request.user)
        count = queryset.count()
        self.message_user(
            request,
            ngettext("%(count)d group archived.", "%(count)d groups archived.", count) % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Restore selected groups"))
    def restore_selected(self, request, queryset) -> None:
        for group in queryset:
            services.group_restore(group=group, actor=request.user)
        count = queryset.count()
        self.message_user(
            request,
            ngettext("%(count)d group restored.", "%(count)d groups restored.", count) % {"count": count},
            messages.SUCCESS,
        )


@admin.register(HelpResource)
class HelpResourceAdmin(admin.ModelAdmin):
    list_display = ("name", "country_code", "phone", "hours", "order", "active", "emergency")
    list_editable = ("order", "active")
    list_filter = ("country_code", "active", "emergency")
    search_fields = ("name", "description")
    fields = (
        "name",
        "country_code",
        "phone",
        "text_line",
        "website",
        "hours",
        "description",
        "order",
        "active",
        "emergency",
    )


@admin.register(Session)
class SessionAdmin(NoDeleteMixin, admin.ModelAdmin):
    """For looking things up. Facilitators change sessions on their own pages, which
    also bump the calendar SEQUENCE; here everything is read-only, and nothing is
    deleted: a cancelled session stays in the feeds as cancelled."""

    no_delete_hint = _(
        "Sessions are cancelled, never deleted, so calendars show them as cancelled. "
        "A facilitator cancels one on the session's page."
    )

    list_display = ("group", "starts_at", "duration_minutes", "status", "attendance")
    list_filter = ("status",)
    search_fields = ("group__name",)
    date_hierarchy = "starts_at"
    list_select_related = ("group",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(FacilitatorPreference)
class FacilitatorPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "reminders_enabled", "reminder_hours_before")
    search_fields = ("user__email",)
    fields = ("user", "reminders_enabled", "reminder_hours_before")
    readonly_fields = ("user",)

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = (
        "session",
        "user",
        "due_at",
        "sent_at",
        "skipped_at",
        "attempts",
        "failed_at",
        "last_error",
    )
    list_filter = (
        ("sent_at", admin.EmptyFieldListFilter),
        ("skipped_at", admin.EmptyFieldListFilter),
        ("failed_at", admin.EmptyFieldListFilter),
    )
    list_select_related = ("session__group", "user")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AccessibilityStatement)
class AccessibilityStatementAdmin(SingletonModelAdmin):
    """One row: who members and facilitators tell about a barrier, and when the
    statement's claims were last checked."""

    fields = ("contact", "checked_on")
