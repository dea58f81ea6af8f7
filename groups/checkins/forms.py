from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from groups.checkins.instruments import SafetySignal, item_field_name, safety_signal
from groups.checkins.models import (
    CODE_LENGTH,
    LEGACY_CODE_LENGTH,
    SEND_KEY_PATTERN,
    CheckinWindow,
    InstrumentVersion,
    Item,
    new_send_key,
)
from groups.checkins.services import MAX_SLIPS_PER_BATCH, Submission, normalise_code


class CodeForm(forms.Form):
    """The short code a member types when they did not scan the QR code."""

    code = forms.CharField(
        label=_("Check-in code"),
        help_text=_("Nine letters and numbers in three groups, shown on the screen in the room."),
        max_length=20,
        error_messages={"required": _("Enter the code shown on the screen.")},
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if len(code) not in (CODE_LENGTH, LEGACY_CODE_LENGTH):
            raise forms.ValidationError(_("The code has nine letters and numbers, like KMP-X7R-4HW."))
        return code


@dataclass(frozen=True)
class CheckinSent:
    """What a valid check-in POST says: the answers, the slip's code, the form's key."""

    submission: Submission
    slip_code: str
    send_key: str


SLIP_CODE_MAX_LENGTH = 20


def checkin_read(
    data: QueryDict,
    *,
    versions: list[InstrumentVersion],
    readings: Sequence[tuple[str, str]],
    single_use: bool,
) -> CheckinSent | None:
    """A check-in POST read straight from its fields when every one is plainly valid
    (almost every send), or None when anything is not: then ``CheckinForm`` reads the
    same POST and says what needs another look, as it always has.

    Strictly narrower than the form: it accepts only what the form accepts and gives
    the same answers (tests/checkins/test_checkin_read.py checks it against the form
    on generated POSTs), and skips the form's cost on the common path.
    """
    slip_code = ""
    if single_use:
        slip_code = data.get("slip_code", "").strip()
        if not slip_code or len(slip_code) > SLIP_CODE_MAX_LENGTH or "\x00" in slip_code:
            return None
    reading_ids = {value for value, _title in readings}
    answers = {}
    for version in versions:
        values = {}
        for item in version.items.all():
            name = item_field_name(item)
            if item.kind == Item.Kind.READINGS:
                if not readings:
                    continue  # not asked
                chosen = data.getlist(name)
                if not all(isinstance(value, str) and value in reading_ids for value in chosen):
                    return None
                if chosen:
                    values[item.key] = chosen
                elif item.required:
                    return None
                continue
            raw = data.get(name, "")
            if item.kind == Item.Kind.TEXT:
                raw = raw.strip()
                plain = len(raw) <= item.max_length and "\x00" not in raw
            else:
                options = {str(value) for value, _label in item.options}
                plain = item.kind in (Item.Kind.SCALE, Item.Kind.CHOICE) and (not raw or raw in options)
            if not plain:
                return None
            if not raw:
                if item.required:
                    return None
                continue
            values[item.key] = int(raw) if item.kind == Item.Kind.SCALE else raw
        answers[version] = values
    key = data.get("send_key", "").strip()
    if "\x00" in key:
        return None
    return CheckinSent(
        submission=Submission(answers=answers),
        slip_code=slip_code,
        send_key=key if re.fullmatch(SEND_KEY_PATTERN, key) else "",
    )


class CheckinForm(forms.Form):
    """The member's check-in, built from the published instrument versions."""

    # Drawn afresh for each copy of the form and sent back with it: the same copy sent
    # twice is stored once (``models.SentForm``). A missing or malformed key only
    # loses that protection; it is never an error the member would have to fix.
    send_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args,
        versions: list[InstrumentVersion],
        readings: Sequence[tuple[str, str]],
        single_use: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.versions = versions
        self.sections: list[tuple[InstrumentVersion, list[tuple[Item, str]]]] = []
        if single_use:
            self.fields["slip_code"] = forms.CharField(
                label=_("The code on your slip"),
                help_text=_("Your facilitator handed you a slip with a code on it. Each code works once."),
                max_length=SLIP_CODE_MAX_LENGTH,
                error_messages={"required": _("Enter the code from your slip.")},
            )
        for version in versions:
            entries = []
            for item in version.items.all():
                if item.kind == Item.Kind.READINGS and not readings:
                    continue  # no readings assigned to this session: nothing to ask
                name = item_field_name(item)
                self.fields[name] = self._field_for(item, readings)
                entries.append((item, name))
            self.sections.append((version, entries))

    @staticmethod
    def _field_for(item: Item, readings: Sequence[tuple[str, str]]) -> forms.Field:
        required_message = _("Choose an answer for: %(prompt)s") % {"prompt": item.prompt}
        common = {"label": item.prompt, "required": item.required, "help_text": item.help_text}
        if item.kind == Item.Kind.SCALE:
            return forms.TypedChoiceField(
                choices=[(str(value), label) for value, label in item.options],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": required_message,
                    "invalid_choice": _("Choose one of the answers shown for: %(prompt)s")
                    % {"prompt": item.prompt},
                },
                **common,
            )
        if item.kind == Item.Kind.CHOICE:
            return forms.ChoiceField(
                choices=[(value, label) for value, label in item.options],
                widget=forms.RadioSelect,
                error_messages={
                    "required": required_message,
                    "invalid_choice": _("Choose one of the answers shown for: %(prompt)s")
                    % {"prompt": item.prompt},
                },
                **common,
            )
        if item.kind == Item.Kind.READINGS:
            return forms.MultipleChoiceField(
                choices=readings,
                widget=forms.CheckboxSelectMultiple,
                error_messages={
                    "invalid_choice": _("Choose only readings from the list."),
                    "invalid_list": _("Choose only readings from the list."),
                },
                **common,
            )
        return forms.CharField(
            max_length=item.max_length,
            strip=True,
            error_messages={
                "max_length": _("Keep this to %(limit_value)d characters or fewer (it has %(show_value)d).")
            },
            **common,
        )

    def clean_send_key(self) -> str:
        key = self.cleaned_data.get("send_key", "")
        return key if re.fullmatch(SEND_KEY_PATTERN, key) else ""

    def key_to_send(self) -> str:
        """The key this copy of the form carries: the one it came back with (a page
        asking to correct or wait is the same copy), else a new one."""
        key = self.data.get("send_key", "") if self.is_bound else ""
        return key if re.fullmatch(SEND_KEY_PATTERN, key) else new_send_key()

    def fieldset_sections(self):
        """(version, [(item, bound field)]) for the template."""
        return [
            (version, [(item, self[name]) for item, name in entries]) for version, entries in self.sections
        ]

    def sent(self) -> CheckinSent:
        """What the valid form says, as ``checkin_read`` gives it."""
        return CheckinSent(
            submission=self.submission(),
            slip_code=self.cleaned_data.get("slip_code", ""),
            send_key=self.cleaned_data["send_key"],
        )

    def submission(self) -> Submission:
        answers = {}
        for version, entries in self.sections:
            values = {}
            for item, name in entries:
                value = self.cleaned_data.get(name)
                if value in (None, "", []):
                    continue
                values[item.key] = value
            answers[version] = values
        return Submission(answers=answers)

    def safety_signal(self) -> SafetySignal:
        """Whether the answers sent call for the help resources, by the rule
        ``checkin_submit`` applies to a stored answer, for a send that stored nothing.

        Read even when the form is invalid: every field that passed its own check
        counts (a "no" to feeling safe is a valid answer when another question was
        skipped), and a value that failed its check counts for nothing. Computed for
        this response only; never stored, logged or sent anywhere.
        """
        if not self.is_bound:
            return SafetySignal(feels_unsafe=False, low_wellbeing=False)
        self.is_valid()  # cleans the fields once; cleaned_data then holds the valid ones
        return safety_signal(self.submission().by_instrument())


class WindowSettingsForm(forms.ModelForm):
    class Meta:
        model = CheckinWindow
        fields = ("mode", "open_automatically", "hours_open")
        widgets = {"mode": forms.RadioSelect}
        help_texts = {
            "hours_open": _("Answers are taken until this many hours after the check-in opens (1 to 336)."),
        }

    def clean_hours_open(self) -> int:
        hours = self.cleaned_data["hours_open"]
        if not 1 <= hours <= 24 * 14:
            raise forms.ValidationError(_("Choose between 1 and 336 hours (two weeks)."))
        return hours


class SlipCountForm(forms.Form):
    count = forms.IntegerField(
        label=_("How many codes to print"),
        min_value=1,
        max_value=MAX_SLIPS_PER_BATCH,
        initial=20,
        help_text=_("One for each person expected, plus a few spare. Each code works once."),
    )
