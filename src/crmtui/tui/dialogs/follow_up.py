"""The structured follow-up form 跟进记录: channel by one key, goal met by y/n, then the texts and the next date;
whom the rep spoke to and which deal it was about (preselected when the customer has only one). The same form,
filled in, corrects the customer's last follow-up."""

from __future__ import annotations

from typing import Any, TypedDict

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static, TextArea

from crmtui.tui.base import CrmScreenMixin
from crmtui.tui.dialogs.form import FormMixin, SavesInWorker
from crmtui.core import labels
from crmtui.core.errors import CrmError, InvalidInput, MissingFields
from crmtui.core.fields import FIELDS
from crmtui.core.i18n import N_, _
from crmtui.services.fields import CHANNELS
from crmtui.services.follow_ups import (
    Choice,
    LastFollowUp,
    amend_follow_up,
    follow_up_choices,
    Logged,
    record_follow_up,
)
from crmtui.services.revisits import call_back_note, open_revisits, revisit_label
from crmtui.tui.widgets.cells import literal
from crmtui.tui.widgets.date_preview import show_next_date


class FollowUpValues(TypedDict):
    """What the form holds, named as the service's arguments."""

    channel: str | None
    goal_met: bool | None
    goal: str
    notes: str
    next_plan: str
    next_at: str
    contact_id: str | None
    deal_id: str | None
    satisfaction: str
    nps: str
    revisit: str | None


REVISIT_FIELDS = ("satisfaction", "nps", "revisit")
"""What a revisit's follow-up adds (a correction keeps the corrected one's)."""

CHOICE_KEYS = "1234567yn"
"""The picker's keys: the seven channels, then goal met yes / no."""


def channel_names() -> list[str]:
    """The seven channels in the current language, in key order 1-7."""
    return [labels.channel(key) for key in CHANNELS]


class ChoicePicker(Static, can_focus=True):
    """The first stop of the form: 1-7 picks the channel, y/n answers "goal met?" (the form routes those keys here)."""

    COMPONENT_CLASSES = {"choice-picker--key", "choice-picker--picked"}
    """A choice's key, and the picked choice (styled in app.tcss with the theme's colours)."""

    channel: str | None = None
    goal_met: bool | None = None

    def on_mount(self) -> None:
        self.refresh_text()

    def _append_choice(self, text: Text, key: str, name: str, picked: bool, first: bool = False) -> None:
        """The gap before a choice (but the first), then the choice. The gap is a span of its own and no span
        starts with a space: a picture of the screen (SVG) keeps every gap, the one after the picked choice too."""
        if not first:
            text.append("  ", style="not bold")
        if picked:
            text.append(f"{key} {name}", style=self.get_component_rich_style("choice-picker--picked", partial=True))
        else:
            text.append(f"{key} ", style=self.get_component_rich_style("choice-picker--key", partial=True))
            text.append(name)

    def refresh_text(self) -> None:
        """Shows both choices, the picked ones marked."""
        text = Text()
        text.append(_("Channel") + ": ", style="bold")
        for number, (key, name) in enumerate(zip(CHANNELS, channel_names(), strict=True), start=1):
            self._append_choice(text, str(number), name, key == self.channel, first=number == 1)
        text.append("\n")
        text.append(_("Goal met?") + " ", style="bold")
        self._append_choice(text, "y", _("yes"), self.goal_met is True, first=True)
        self._append_choice(text, "n", _("no"), self.goal_met is False)
        self.update(text)

    def choose(self, key: str) -> bool:
        """Takes 1-7 (the channel) or y/n (goal met); whether both answers are now in."""
        if key in CHOICE_KEYS[:7]:
            self.channel = CHANNELS[int(key) - 1]
        else:
            self.goal_met = key == "y"
        self.remove_class("missing")
        self.refresh_text()
        return self.channel is not None and self.goal_met is not None


class FollowUpForm(CrmScreenMixin, FormMixin, SavesInWorker, ModalScreen[bool]):
    """Logs one follow-up; cannot be saved while anything required is missing; never loses typed text silently."""

    BINDINGS = [
        Binding("ctrl+s", "save", N_("Save"), id="save", priority=True),
        Binding("escape", "cancel", N_("Cancel"), id="cancel"),
        # A terminal hands the app a fast typist's keys in bursts, and the app gives each key to the widget
        # focused when it routes it, before that widget has handled the keys ahead of it. A focus moved by a
        # widget's own handler (after y/n, on Tab or Enter) came too late: the rest of the burst went to the
        # old field, and the text typed right after `y` was lost. As priority bindings these keys act while
        # the app routes them, so the next key of the burst already goes to the new field.
        *[Binding(key, f"choose('{key}')", show=False, priority=True) for key in CHOICE_KEYS],
        Binding("tab", "move_focus(1)", show=False, priority=True),
        Binding("shift+tab", "move_focus(-1)", show=False, priority=True),
        Binding("enter", "submit_field", show=False, priority=True),
    ]

    FORM_FIELDS = ("channel", "goal_met", "contact", "deal", "revisit", "satisfaction", "nps", "goal", "notes",
                   "next_plan", "next_at")
    """The fields (core/fields.py) this form fills: the service names them when they are wrong or missing."""

    def __init__(self, customer_id: str, customer_name: str, correcting: LastFollowUp | None = None) -> None:
        """`correcting`: the customer's last follow-up (services.follow_ups.last_follow_up), to correct it; the
        form opens filled with it."""
        super().__init__()
        self.customer_id = customer_id
        self.customer_name = customer_name
        self.correcting = correcting
        self.prefilled_next = ""
        """The next date as the form wrote it when correcting: left as it is, the date stays (even once past)."""
        self.initial: FollowUpValues | None = None
        self.note_generation = 0
        """Counts the changes the call back note follows: a wording that comes back late is dropped."""
        self.due_revisits: list[str] = []
        """The open revisits due by today (their ids), when the revisit row is shown."""

    def compose(self) -> ComposeResult:
        choices = follow_up_choices(self.crm.ctx, self.customer_id,
                                    keep=(self.correcting.deal_id,) if self.correcting else ())
        heading = _("Correct the last follow-up") if self.correcting else _("Log a follow-up")
        with Vertical(classes="dialog", id="follow-up"):
            # One line, cut at its end by display cells (app.tcss): a name too long for the line keeps its start
            # in view instead of wrapping out of the one-line title; the notice after saving names it whole.
            yield Static(literal(heading + " · " + self.customer_name), classes="title", id="follow-up-title")
            yield ChoicePicker(id="picker", classes="picker")
            with Horizontal(classes="field-row", id="about-row") as about:
                about.display = bool(choices.contacts or choices.deals)
                yield Label(_("Spoke to"), classes="label")
                yield self._select("contact", choices.contacts, _("nobody named"),
                                   self.correcting.contact_id if self.correcting else None)
                yield Label(_("Deal"), classes="label deal-label")
                yield self._select("deal", choices.deals, _("no deal"),
                                   self.correcting.deal_id if self.correcting else None)
            yield from self._revisit_row()
            # Filled in when a follow-up is corrected: Tab into a sentence puts the cursor at its end, so the rep
            # corrects a word instead of replacing the sentence with the first key.
            yield self._row(_("Goal"), Input(placeholder=_("the goal of this contact"), id="goal", compact=True,
                                             select_on_focus=False))
            yield self._row(_("Notes"), TextArea(id="notes", soft_wrap=True, show_line_numbers=False, compact=True))
            yield self._row(_("Next plan"), Input(placeholder=_("what you will do next"), id="next-plan", compact=True,
                                                  select_on_focus=False))
            yield self._row(_("Next date"), Input(placeholder=_('e.g. fri 3pm, 明天下午3点'), id="next", compact=True))
            yield Label("", id="preview")
            # a revisit's follow-up: what a low satisfaction will do, said before saving (services word it)
            note = Label("", id="call-back-note")
            note.display = False  # shown once worded
            yield note
            yield Static(_("1-7 channel · y/n goal met · Tab next field · Enter on the date or Ctrl+S saves · Esc cancels"),
                         classes="hint")

    def _revisit_row(self) -> ComposeResult:
        """The customer's open revisits (回访) and the scores that complete one: shown only when it has one open
        (not when correcting). Not chosen, a score completes the one due by today."""
        today = self.crm.ctx.clock.today()
        revisits = [] if self.correcting else open_revisits(self.crm.ctx, self.customer_id)
        due = [revisit for revisit in revisits if revisit.due_on <= today]
        self.due_revisits = [revisit.id for revisit in due]
        with Horizontal(classes="field-row", id="revisit-row") as row:
            row.display = bool(revisits)
            yield Label(_("Revisit"), classes="label")
            yield Select([(literal(revisit_label(revisit, today)), revisit.id) for revisit in revisits],
                         prompt=_("the one due today") if len(due) == 1 else _("not a revisit"), id="revisit",
                         compact=True)
            yield Label(_("Satisfaction"), classes="label deal-label")
            yield Input(placeholder="1-5", id="satisfaction", compact=True, classes="score")
            yield Label(_("Would recommend"), classes="label deal-label")
            yield Input(placeholder="0-10", id="nps", compact=True, classes="score")

    @staticmethod
    def _row(label: str, field: Widget) -> Horizontal:
        return Horizontal(Label(label, classes="label"), field, classes="field-row")

    @staticmethod
    def _select(name: str, choices: tuple[Choice, ...], blank: str, chosen: str | None) -> Select[str]:
        """A contact or deal picker: the only one preselected for a new follow-up, the corrected one's otherwise."""
        ids = [choice.id for choice in choices]
        value: Any = Select.NULL
        if chosen in ids:
            value = chosen
        elif chosen is None and len(ids) == 1:
            value = ids[0]
        return Select([(literal(choice.label), choice.id) for choice in choices], prompt=blank, value=value,
                      id=name, compact=True, disabled=not choices)

    def on_mount(self) -> None:
        if self.correcting is not None:
            self._fill(self.correcting)
        self.initial = self.values()
        self.query_one(ChoicePicker).focus()
        self.show_call_back()

    def _fill(self, last: LastFollowUp) -> None:
        """The corrected follow-up's fields in the form; its next date as a date the form reads back."""
        picker = self.query_one(ChoicePicker)
        picker.channel, picker.goal_met = last.channel, last.goal_met
        picker.refresh_text()
        self.query_one("#goal", Input).value = last.goal
        self.query_one("#notes", TextArea).text = last.notes
        self.query_one("#next-plan", Input).value = last.next_plan or ""
        when = self.crm.ctx.clock.to_local(last.next_at)
        self.prefilled_next = when.strftime("%Y-%m-%d %H:%M") if when else ""
        self.query_one("#next", Input).value = self.prefilled_next

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Only while their field has the focus: elsewhere 1-7, y, n and Enter are typed as usual.
        if action == "choose":
            return self.focused is None or isinstance(self.focused, ChoicePicker)
        if action == "submit_field":
            return isinstance(self.focused, Input)
        return True

    def action_choose(self, key: str) -> None:
        """1-7 or y/n on the picker; once both answers are in, the next field down the form (the focus moves at
        once): the satisfaction when a revisit is due (the one it completes), the revisit to choose when several
        are, else the goal (the contact and deal rows above it are preselected)."""
        if self.query_one(ChoicePicker).choose(key):
            self.set_focus(self.query_one(self._after_choices()))

    def _after_choices(self) -> str:
        """The field the focus goes to once the channel and goal met are in."""
        if self.query_one("#revisit-row").display and self.due_revisits:
            return "#satisfaction" if len(self.due_revisits) == 1 or self._chosen("revisit") else "#revisit"
        return "#goal"

    def _completing(self) -> tuple[bool, str | None]:
        """Whether this follow-up completes a revisit (one chosen, or some due by today), and which one when
        known."""
        if not self.query_one("#revisit-row").display:
            return False, None
        chosen = self._chosen("revisit")
        if chosen is not None:
            return True, chosen
        return bool(self.due_revisits), self.due_revisits[0] if len(self.due_revisits) == 1 else None

    @on(Input.Changed, "#satisfaction")
    @on(Select.Changed, "#revisit")
    def show_call_back(self) -> None:
        """Under the next date, while a revisit's follow-up is typed: the call back a low score will plan. Worded
        in a thread: the first working day counted loads the public holidays (~0.2 s once), which must not hold
        up the form's opening or the keys typed."""
        self.note_generation += 1
        completing, revisit_id = self._completing()
        if not completing:
            self._set_note(self.note_generation, "")
            return
        generation, satisfaction = self.note_generation, self.query_one("#satisfaction", Input).value

        def word() -> None:
            text = call_back_note(self.crm.ctx, self.customer_id, satisfaction, revisit_id)
            self.app.call_from_thread(self._set_note, generation, text)

        self.run_worker(word, thread=True, group="call-back-note", exit_on_error=False)

    def _set_note(self, generation: int, text: str) -> None:
        """Shows the note worded for the form as it was at `generation` (an older wording is dropped)."""
        if generation != self.note_generation or not self.is_attached:
            return
        note = self.query_one("#call-back-note", Label)
        note.update(literal(text))
        note.display = bool(text)

    def action_move_focus(self, step: int) -> None:
        """Tab and Shift+Tab between the fields."""
        if step > 0:
            self.focus_next()
        else:
            self.focus_previous()

    def action_submit_field(self) -> None:
        """Enter on a one-line field: the next field, or save from the date."""
        if self.focused is self.query_one("#next", Input):
            self.action_save()
        else:
            self.focus_next()

    @on(Input.Changed, "#next")
    def preview_date(self, event: Input.Changed) -> None:
        """Shows what the next date was read as, or why it was not understood."""
        show_next_date(self.query_one("#preview", Label), event.value, self.crm.ctx)

    def values(self) -> FollowUpValues:
        """What the rep entered so far."""
        picker = self.query_one(ChoicePicker)
        return FollowUpValues(
            channel=picker.channel,
            goal_met=picker.goal_met,
            goal=self.query_one("#goal", Input).value,
            notes=self.query_one("#notes", TextArea).text,
            next_plan=self.query_one("#next-plan", Input).value,
            next_at=self.query_one("#next", Input).value,
            contact_id=self._chosen("contact"),
            deal_id=self._chosen("deal"),
            satisfaction=self.query_one("#satisfaction", Input).value,
            nps=self.query_one("#nps", Input).value,
            revisit=self._chosen("revisit"),
        )

    def _chosen(self, name: str) -> str | None:
        value = self.query_one(f"#{name}", Select).value
        return value if isinstance(value, str) else None

    def has_typed(self) -> bool:
        """Whether closing would lose something the rep entered (a contact or deal preselected is not typed)."""
        values = self.values()
        if self.correcting is not None:
            return values != self.initial
        texts = (values["goal"], values["notes"], values["next_plan"], values["next_at"], values["satisfaction"],
                 values["nps"])
        return any(text.strip() for text in texts) or values["channel"] is not None or values["goal_met"] is not None

    def action_save(self) -> None:
        """Saves once every field has taken the keys typed before Ctrl+S or Enter: in a fast typist's burst the
        last characters may still wait in a field's queue when the save key is routed."""
        if not self.start_saving():
            return
        fields = [self.query_one(f"#{name}") for name in ("goal", "notes", "next-plan", "next")]

        def after(index: int) -> None:
            if index == len(fields):
                self._save()
            else:
                fields[index].call_later(after, index + 1)

        after(0)

    def _save(self) -> None:
        """Hands what was typed to the save's worker; the form stays as it is until the worker reports back."""
        for widget in self.query(".missing"):
            widget.remove_class("missing")
        values = self.values()
        last = self.correcting
        if last is None:
            self.save_in_worker(lambda: record_follow_up(self.crm.ctx, self.customer_id, **values))
            return
        changes: dict[str, Any] = {name: value for name, value in values.items() if name not in REVISIT_FIELDS}
        if values["next_at"].strip() == self.prefilled_next:
            del changes["next_at"]  # the date it had stays
        self.save_in_worker(lambda: amend_follow_up(self.crm.ctx, self.customer_id, last.id, **changes))

    def saved(self, result: object) -> None:
        if self.correcting is not None:
            self.notify(_("Follow-up corrected for {name}").format(name=self.customer_name))
        else:
            self.notify(_("Follow-up logged for {name}").format(name=self.customer_name))
        call_back = result.call_back if isinstance(result, Logged) else None
        if call_back is not None:
            # deferred: a day is worded here only after a low score
            from crmtui.core import i18n
            from crmtui.core.dates import format_when

            assert isinstance(result, Logged)
            day = format_when(call_back.due_on, False, i18n.language, self.crm.ctx.clock.today())
            self.notify((_("Satisfaction {score}/5 is low: call back planned on {day}") if call_back.new
                         else _("Satisfaction {score}/5 is low: a call back is already planned on {day}")).format(
                score=result.row.satisfaction, day=day), severity="warning")
        self.dismiss(True)

    def refused(self, error: CrmError) -> None:
        """Missing or wrong fields are marked; the form stays open with everything typed."""
        if isinstance(error, MissingFields):
            self._mark(error.fields)
            names = ", ".join(labels.field(name) for name in error.fields)
            self.notify(_("Missing: {fields}").format(fields=names), severity="error")
            return
        if isinstance(error, InvalidInput):
            self._mark([error.field])
        self.notify(error.labelled(), severity="error")  # as a form says it: labels and keys, not options

    def _mark(self, fields: list[str]) -> None:
        """Marks the fields and puts the cursor on the first of them, in the form's order."""
        for name in fields:
            if name in self.FORM_FIELDS:
                self.query_one(f"#{FIELDS[name].widget_id if name in FIELDS else name}").add_class("missing")
        marked = self.query(".missing")
        if marked:
            marked.first().focus()

    def action_cancel(self) -> None:
        """Asks before throwing away anything typed."""
        question = (_("Discard this correction? The follow-up stays as it was.") if self.correcting is not None
                    else _("Discard this follow-up? What you typed will be lost."))
        self.close_asking(self.has_typed(), question, False)
