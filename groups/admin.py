from django.contrib import admin

from groups.models import FacilitatorPreference, Group, GroupFacilitator, HelpResource, Reminder, Session


class GroupFacilitatorInline(admin.TabularInline):
    model = GroupFacilitator
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ("name", "timezone", "meeting_mode", "archived_at")
    search_fields = ("name",)
    list_filter = ("meeting_mode",)
    inlines = [GroupFacilitatorInline]


@admin.register(HelpResource)
class HelpResourceAdmin(admin.ModelAdmin):
    list_display = ("name", "country_code", "phone", "hours", "order", "active")
    list_editable = ("order", "active")
    list_filter = ("country_code", "active")
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
    )


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    """For looking things up. Facilitators change sessions on their own pages, which
    also bump the calendar SEQUENCE; here everything is read-only."""

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
    list_display = ("session", "user", "due_at", "sent_at", "skipped_at")
    list_filter = (("sent_at", admin.EmptyFieldListFilter), ("skipped_at", admin.EmptyFieldListFilter))
    list_select_related = ("session__group", "user")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
