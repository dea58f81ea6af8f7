from django import forms
from django.utils.translation import gettext_lazy as _

from content.models import Reading, ReadingPlan, SessionNote, SessionReading, Theme

# Empty rows offered for the sequence: at least this many, and always a few spare
# beyond a plan's current length so it can grow.
MIN_PLAN_ROWS = 12
SPARE_PLAN_ROWS = 4
MAX_PLAN_ROWS = 104


class ReadingSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search the library"),
        required=False,
        max_length=100,
        widget=forms.SearchInput(attrs={"autocomplete": "off"}),
    )
    theme = forms.ModelChoiceField(
        label=_("Theme"),
        queryset=Theme.objects.none(),
        required=False,
        to_field_name="slug",
        empty_label=_("All themes"),
    )

    def __init__(self, *args, themes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = themes


class PublishedReadingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Reading) -> str:
        return obj.title


class AssignReadingForm(forms.Form):
    reading = PublishedReadingChoiceField(
        label=_("Reading"), queryset=Reading.objects.none(), empty_label=_("Choose a reading")
    )
    note = forms.CharField(
        label=_("Your note (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only the group's facilitators see this note."),
    )

    def __init__(self, *args, readings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reading"].queryset = readings


class AssignmentNoteForm(forms.ModelForm):
    class Meta:
        model = SessionReading
        fields = ("note",)
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}
        labels = {"note": _("Your note")}


class SessionNoteForm(forms.ModelForm):
    class Meta:
        model = SessionNote
        fields = ("text",)
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}
        labels = {"text": _("Note for this session")}
        help_texts = {
            "text": _("For the group's facilitators only; members never see it. Please use no member's name.")
        }


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=(("up", _("Up")), ("down", _("Down"))))

    @property
    def offset(self) -> int:
        return -1 if self.cleaned_data["direction"] == "up" else 1


class ReadingPlanForm(forms.Form):
    """Title, description and the sequence: one select per week, blanks ignored.

    Numbered selects keep ordering usable by keyboard and without JavaScript."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args, readings, plan: ReadingPlan | None = None, **kwargs):
        initial = kwargs.pop("initial", {}) or {}
        length = 0
        if plan is not None:
            initial.update({"title": plan.title, "description": plan.description})
            for index, item in enumerate(plan.items.order_by("position", "id")):
                initial[f"step_{index + 1}"] = item.reading_id
                length = index + 1
        super().__init__(*args, initial=initial, **kwargs)
        if self.is_bound:
            # Keep every row that was posted, however many there were.
            posted = [int(key[5:]) for key in self.data if key.startswith("step_") and key[5:].isdigit()]
            length = min(max([length, *posted]), MAX_PLAN_ROWS)
        self.rows = max(MIN_PLAN_ROWS, length + SPARE_PLAN_ROWS)
        for number in range(1, self.rows + 1):
            self.fields[f"step_{number}"] = PublishedReadingChoiceField(
                label=_("Session %(number)s") % {"number": number},
                queryset=readings,
                required=False,
                empty_label=_("(none)"),
            )

    @property
    def step_fields(self):
        return [self[f"step_{number}"] for number in range(1, self.rows + 1)]

    def clean(self):
        cleaned = super().clean()
        sequence = [
            cleaned.get(f"step_{number}")
            for number in range(1, self.rows + 1)
            if cleaned.get(f"step_{number}")
        ]
        if not sequence:
            raise forms.ValidationError(_("Choose at least one reading for the plan."))
        cleaned["sequence"] = sequence
        return cleaned


class ApplyPlanForm(forms.Form):
    plan = forms.ModelChoiceField(
        label=_("Reading plan"), queryset=ReadingPlan.objects.none(), empty_label=None
    )
    replace = forms.BooleanField(
        label=_("Replace the readings (and their notes) already assigned to these sessions"),
        required=False,
        help_text=_("Leave unticked to add each plan reading after what is already there."),
    )
    only_series = forms.BooleanField(
        label=_("Only this session's series"),
        required=False,
        help_text=_("Leave unticked to continue through every later session of the group."),
    )

    def __init__(self, *args, plans, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans
