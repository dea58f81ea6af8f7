from django.contrib import admin

from groups.models import Group, GroupFacilitator


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
