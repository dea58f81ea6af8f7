"""Admins edit instruments as versions: a published version is read-only, and a
change means "make a draft from this version", edit it, then publish it. Answers,
responses and single-use codes are not in the admin at all: nobody browses raw
answers."""

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from facilitator.admin_singleton import SingletonModelAdmin
from facilitator.audit import audit_record
from groups.checkins.models import (
    CheckinWindow,
    Instrument,
    InstrumentVersion,
    Item,
    PrivacySettings,
    SafetyGuidance,
)
from groups.checkins.selectors import default_guidance
from groups.checkins.services import GUIDANCE_FIELDS, privacy_settings_update, safety_guidance_update


class ItemInline(admin.StackedInline):
    model = Item
    extra = 0
    fields = ("position", "key", "kind", "prompt", "help_text", "options", "required", "max_length")

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.is_published

    def has_add_permission(self, request, obj=None):
        return obj is None or not obj.is_published

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_published


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ("name", "key", "position", "is_active")
    list_editable = ("position", "is_active")


@admin.register(InstrumentVersion)
class InstrumentVersionAdmin(admin.ModelAdmin):
    list_display = ("instrument", "number", "published_at", "change_note")
    list_filter = ("instrument",)
    inlines = [ItemInline]
    actions = ["make_draft", "publish"]
    readonly_fields = ("published_at",)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_published:
            return ("instrument", "number", "intro", "credit", "change_note", "published_at")
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_published

    @admin.action(description=_("Make a new draft version from the selected version"))
    def make_draft(self, request, queryset):
        for version in queryset.select_related("instrument"):
            with transaction.atomic():
                highest = version.instrument.versions.aggregate(n=Max("number"))["n"] or 0
                draft = InstrumentVersion.objects.create(
                    instrument=version.instrument,
                    number=highest + 1,
                    intro=version.intro,
                    credit=version.credit,
                )
                Item.objects.bulk_create(
                    [
                        Item(
                            version=draft,
                            key=item.key,
                            position=item.position,
                            kind=item.kind,
                            prompt=item.prompt,
                            help_text=item.help_text,
                            options=item.options,
                            required=item.required,
                            max_length=item.max_length,
                        )
                        for item in version.items.all()
                    ]
                )
            messages.success(request, _("Draft %(draft)s made: edit it, then publish it.") % {"draft": draft})

    @admin.action(description=_("Publish the selected drafts (new check-ins use them)"))
    def publish(self, request, queryset):
        published = 0
        for version in queryset.filter(published_at__isnull=True):
            if InstrumentVersion.objects.filter(pk=version.pk, published_at__isnull=True).update(
                published_at=timezone.now()
            ):
                audit_record(actor=request.user, action="checkin.instrument_published", target=version)
                published += 1
        messages.success(
            request,
            ngettext("%(n)d version published.", "%(n)d versions published.", published) % {"n": published},
        )


@admin.register(CheckinWindow)
class CheckinWindowAdmin(admin.ModelAdmin):
    list_display = ("session", "code", "mode", "opened_at", "closes_at", "closed_at")
    list_filter = ("mode",)
    readonly_fields = ("session", "code", "mode", "opened_at", "closes_at", "closed_at", "hours_open")
    fields = (*readonly_fields, "open_automatically")

    def has_add_permission(self, request):
        return False


@admin.register(PrivacySettings)
class PrivacySettingsAdmin(SingletonModelAdmin):
    """One row; saving goes through the service so every change is audited."""

    fields = ("k_scores", "k_comments", "updated_at")
    readonly_fields = ("updated_at",)
    list_display = ("__str__", "k_scores", "k_comments", "updated_at")

    def save_model(self, request, obj, form, change):
        privacy_settings_update(k_scores=obj.k_scores, k_comments=obj.k_comments, actor=request.user)


@admin.register(SafetyGuidance)
class SafetyGuidanceAdmin(SingletonModelAdmin):
    """One row: what facilitators read beside a raised safety signal. A blank field
    shows the built-in text; saving goes through the service (audited)."""

    fields = (*GUIDANCE_FIELDS, "updated_at")
    readonly_fields = ("updated_at",)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        for name, text in default_guidance().items():
            form.base_fields[name].help_text = _("Leave blank for the built-in text: “%(text)s”") % {
                "text": text
            }
        return form

    def save_model(self, request, obj, form, change):
        saved = safety_guidance_update(
            actor=request.user, **{name: getattr(obj, name) for name in GUIDANCE_FIELDS}
        )
        obj.pk, obj.updated_at = saved.pk, saved.updated_at
