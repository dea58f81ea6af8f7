from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from content import services
from content.models import Reading, ReadingPlan, ReadingPlanItem, SessionReading, Source, Theme


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "description")
    search_fields = ("name", "description")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Source)
class SourceAdmin(SimpleHistoryAdmin):
    list_display = ("title", "credit_line")
    search_fields = ("title", "credit_line", "text")
    prepopulated_fields = {"slug": ("title",)}


class ReadingAdminForm(forms.ModelForm):
    class Meta:
        model = Reading
        fields = (
            "title",
            "slug",
            "source",
            "position",
            "is_published",
            "content_note",
            "passage",
            "reading_minutes",
            "summary",
            "themes",
            "prompts",
        )
        # Checkboxes rather than filter_horizontal: a handful of themes, and the
        # filter widget's script adds ARIA that axe flags as serious.
        widgets = {"themes": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Quoted text is kept as typed, spaces at either end included (line ends
        # arrive as "\n": facilitator.middleware.LineEndingsMiddleware), so saving a
        # reading without an edit changes nothing.
        for name in ("passage", "prompts", "summary", "content_note"):
            self.fields[name].strip = False

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_published"):
            problems = services.reading_publish_problems(
                content_note=cleaned.get("content_note") or "",
                prompts=cleaned.get("prompts") or "",
                summary=cleaned.get("summary") or "",
            )
            if problems:
                raise forms.ValidationError(
                    _(
                        "A published reading needs %(missing)s. "
                        "Add them, or untick “published” to keep it as a draft."
                    )
                    % {"missing": "; ".join(str(p) for p in problems)}
                )
        return cleaned


class ReadingListRowForm(forms.ModelForm):
    """A row of the change list. The admin renders list_editable inputs without a
    label; screen readers (and axe) need one naming the row's reading."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "position" in self.fields:
            self.fields["position"].widget.attrs["aria-label"] = _("Order of “%(title)s”") % {
                "title": self.instance.title
            }


@admin.register(Reading)
class ReadingAdmin(SimpleHistoryAdmin):
    form = ReadingAdminForm
    list_display = (
        "title",
        "source",
        "position",
        "is_published",
        "minutes_display",
        "updated_at",
        "preview_link",
    )
    list_display_links = ("title",)
    # Reorder from the list: change the numbers and save.
    list_editable = ("position",)
    list_filter = ("is_published", "themes", "source")
    search_fields = ("title", "slug", "summary", "passage", "content_note", "prompts")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("preview_link", "created_at", "updated_at")
    actions = ("publish", "unpublish", "move_up", "move_down")
    history_list_display = ("is_published", "position")
    fieldsets = (
        (None, {"fields": ("title", "slug", "source", "position", "is_published", "preview_link")}),
        (_("What members read"), {"fields": ("content_note", "passage", "reading_minutes")}),
        (_("For facilitators"), {"fields": ("summary", "themes", "prompts")}),
        (_("Dates"), {"fields": ("created_at", "updated_at")}),
    )

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=ReadingListRowForm, **kwargs)

    def get_urls(self):
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="content_reading_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request, pk: int):
        reading = get_object_or_404(Reading.objects.select_related("source"), pk=pk)
        if not self.has_view_permission(request, reading):
            raise PermissionDenied
        return render(request, "content/reading_preview.html", {"reading": reading, "readings": [reading]})

    @admin.display(description=_("Preview"))
    def preview_link(self, obj: Reading):
        if not obj.pk:
            return "—"
        url = reverse("admin:content_reading_preview", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Preview as members see it"))

    @admin.display(description=_("Minutes"))
    def minutes_display(self, obj: Reading) -> int:
        return obj.minutes

    @admin.action(description=_("Publish the selected readings"), permissions=["change"])
    def publish(self, request, queryset):
        count, not_ready = services.readings_publish(readings=queryset, published=True)
        message = ngettext("%(count)d reading published.", "%(count)d readings published.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)
        if not_ready:
            self.message_user(
                request,
                _(
                    "Not published, because they are not ready (each needs a content note, "
                    "a summary and two or three prompts): %(titles)s"
                )
                % {"titles": ", ".join(reading.title for reading in not_ready)},
                messages.WARNING,
            )

    @admin.action(description=_("Unpublish the selected readings"), permissions=["change"])
    def unpublish(self, request, queryset):
        count, _not_ready = services.readings_publish(readings=queryset, published=False)
        message = ngettext("%(count)d reading unpublished.", "%(count)d readings unpublished.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Move the selected readings up one place"), permissions=["change"])
    def move_up(self, request, queryset):
        for reading in queryset.order_by("position", "id"):
            services.reading_move(reading=reading, offset=-1)

    @admin.action(description=_("Move the selected readings down one place"), permissions=["change"])
    def move_down(self, request, queryset):
        for reading in queryset.order_by("-position", "-id"):
            services.reading_move(reading=reading, offset=1)


class ReadingPlanItemInline(admin.TabularInline):
    model = ReadingPlanItem
    extra = 1
    autocomplete_fields = ("reading",)
    ordering = ("position", "id")


@admin.register(ReadingPlan)
class ReadingPlanAdmin(SimpleHistoryAdmin):
    list_display = ("title", "created_by", "updated_at")
    search_fields = ("title", "description")
    prepopulated_fields = {"slug": ("title",)}
    inlines = [ReadingPlanItemInline]
    raw_id_fields = ("created_by",)


@admin.register(SessionReading)
class SessionReadingAdmin(admin.ModelAdmin):
    list_display = ("reading", "session", "position")
    list_select_related = ("reading", "session__group")
    raw_id_fields = ("session",)
    autocomplete_fields = ("reading",)
