from django.contrib import admin

from groups.models import Group, GroupFacilitator, HelpResource


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
