import functools
import re
import zoneinfo
from datetime import date

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from groups.models import FacilitatorPreference, Group, SessionSeries
from groups.services import FOLLOWING, MAX_SERIES_LENGTH, ONE


@functools.cache
def _timezone_choices() -> list[tuple[str, str]]:
    zones = sorted(
        z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/"))
    )
    return [(z, z.replace("_", " ")) for z in [*zones, "UTC"]]


# What a date or time picker can hold (HTML's valid date and time strings).
_PICKER_VALUES = {
    "date": re.compile(r"\d{4,}-\d{2}-\d{2}"),
    "time": re.compile(r"([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,3})?)?"),
}


class _PickerMixin:
    """A form sent back with errors shows in the picker only a value the picker can
    hold. A browser's picker never sends anything else; anything else (a script's, or
    a day that does not exist) is invalid HTML, and the browser would blank it anyway.
    The error beside the field says what was wrong."""

    def format_value(self, value):
        value = super().format_value(value)
        if isinstance(value, str) and not _PICKER_VALUES[self.input_type].fullmatch(value):
            return None
        if self.input_type == "date" and value:
            try:
                date.fromisoformat(value)
            except ValueError:
                return None
        return value


class DatePicker(_PickerMixin, forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TimePicker(_PickerMixin, forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class GroupForm(forms.ModelForm):
    timezone = forms.ChoiceField(label=_("Time zone"), choices=_timezone_choices)

    class Meta:
        model = Group
        fields = ("name", "member_label", "description", "timezone", "meeting_mode", "location", "call_link")
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "name": _("Only facilitators see this name."),
            "description": _("Shown to members on the group's page. Keep it neutral."),
            "location": _("Shown to members and in reminders."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.initial.setdefault("timezone", settings.GROUP_DEFAULT_TIMEZONE)

    def clean(self):
        data = super().clean()
        mode = data.get("meeting_mode")
        if mode in (Group.MeetingMode.IN_PERSON, Group.MeetingMode.BOTH) and not data.get("location"):
            self.add_error("location", _("Say where the group meets."))
        if mode in (Group.MeetingMode.ONLINE, Group.MeetingMode.BOTH) and not data.get("call_link"):
            self.add_error("call_link", _("Add the link members use to join the call."))
        return data


class SessionScheduleForm(forms.Form):
    ONCE = ""
    first_day = forms.DateField(label=_("Date"), widget=DatePicker)
    start_time = forms.TimeField(label=_("Start time"), widget=TimePicker)
    duration_minutes = forms.IntegerField(
        label=_("Length (minutes)"), min_value=15, max_value=480, initial=90
    )
    frequency = forms.ChoiceField(
        label=_("Repeats"),
        choices=[(ONCE, _("Does not repeat")), *SessionSeries.Frequency.choices],
        required=False,
        initial=SessionSeries.Frequency.WEEKLY,
    )
    count = forms.IntegerField(
        label=_("Number of sessions"),
        min_value=2,
        max_value=MAX_SERIES_LENGTH,
        initial=10,
        required=False,
        help_text=_("For a repeating series, including the first session."),
    )

    def clean(self):
        data = super().clean()
        if data.get("frequency") and not data.get("count"):
            self.add_error("count", _("How many sessions should the series have?"))
        if data.get("first_day") and data["first_day"] < date.today():
            self.add_error("first_day", _("The first session must be in the future."))
        return data


SCOPE_CHOICES = [(ONE, _("Only this session")), (FOLLOWING, _("This and all later sessions in the series"))]


class SessionMoveForm(forms.Form):
    # The session page shows this form and the cancel form together, both with a
    # "scope" choice: a prefix of its own keeps every id (and so every label) apart.
    prefix = "move"

    new_day = forms.DateField(label=_("New date"), widget=DatePicker)
    new_time = forms.TimeField(label=_("New start time"), widget=TimePicker)
    duration_minutes = forms.IntegerField(label=_("Length (minutes)"), min_value=15, max_value=480)
    scope = forms.ChoiceField(
        label=_("Apply to"), choices=SCOPE_CHOICES, initial=ONE, widget=forms.RadioSelect
    )


class SeriesExtendForm(forms.Form):
    count = forms.IntegerField(
        label=_("How many more sessions?"),
        min_value=1,
        max_value=MAX_SERIES_LENGTH,
        initial=4,
        help_text=_("They follow the last one in the same pattern, at the same time."),
    )
    # How many sessions the series had when the page was shown: a second click of
    # the same button adds nothing (groups.services.series_extend).
    seen = forms.IntegerField(widget=forms.HiddenInput)


class SessionCancelForm(forms.Form):
    prefix = "cancel"  # shown beside SessionMoveForm; see there

    scope = forms.ChoiceField(label=_("Cancel"), choices=SCOPE_CHOICES, initial=ONE, widget=forms.RadioSelect)


class AttendanceForm(forms.Form):
    attendance = forms.IntegerField(
        label=_("How many members came?"),
        min_value=0,
        max_value=500,
        help_text=_("A number only. Never record names."),
    )


class CoFacilitatorForm(forms.Form):
    email = forms.EmailField(label=_("Email of their facilitator account"))


class ReminderSettingsForm(forms.ModelForm):
    class Meta:
        model = FacilitatorPreference
        fields = ("reminders_enabled", "reminder_hours_before", "details_by_mail")
        help_texts = {"reminder_hours_before": _("Between 1 and 168 (one week).")}
