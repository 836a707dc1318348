"""Revisit plans (回访计划): the plan proposed when a deal is won, as the rep edits it, a customer's revisits and
satisfaction scores, the open ones due by a day, which revisit a follow-up completes, and the call back a low
score plans (docs/revisits.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from crmtui.core import i18n, workdays
from crmtui.core.config import RevisitStep, Settings
from crmtui.core.errors import Ambiguous, InvalidInput, Match
from crmtui.core.i18n import N_
from crmtui.services import fields
from crmtui.services.context import Context
from crmtui.store import revisits as store

if TYPE_CHECKING:
    import sqlite3

    from crmtui.store.outbox import OutboxWriter

WEEKEND = (5, 6)
"""Saturday and Sunday (date.weekday()): a plan says a day moved from them is a weekend (core/workdays.py has the
rule of a working day: the work days, the public holidays, the make-up days)."""

LINE_SEPARATOR = re.compile(r"[;；\n]")
"""Between the lines of a plan typed on one line: "3 phone 确认交付; 30 visit 检查安装"."""

_LINE = re.compile(r"^\s*(-?\d+)\s*(?:d|days?|天)?\s+(.+?)\s*$", re.IGNORECASE)

MAX_DAYS = 3650
"""A revisit is planned at most ten years after signing (as a configured step is)."""

CLOSE_LATIN = 0.8
"""How alike (difflib's ratio) a plan line's second word must be to a channel word to be taken for a mistyped
one ("phnoe", "vist", "emial"); "test", "next" or "main" (0.75 to text or mail) stay words of the purpose."""
CLOSE_PINYIN = 0.85
"""The same for a Chinese word, by its pinyin: 点话 or 电活 for 电话, 拜仿 for 拜访 (what a pinyin keyboard mistypes);
上午 (shangwu) is not 上门 (shangmen)."""


@dataclass(frozen=True)
class RevisitLine:
    """One line of a plan as the rep accepts it: `days` after the contract's signing, by `channel`, for `purpose`."""

    days: int
    channel: str
    purpose: str

    def text(self) -> str:
        """The line as the rep types it, the channel in the rep's words: "30 拜访 检查使用情况"."""
        from crmtui.core import labels  # deferred: ~1 ms, only where a plan is shown for editing

        return f"{self.days} {labels.channel(self.channel)} {self.purpose}"


@dataclass(frozen=True)
class PlannedRevisit:
    """A line of the plan on its day: `moved_from` is the day off it fell on, when it was moved (`holiday`: the
    public holiday that day is, by name)."""

    line: RevisitLine
    due_on: date
    moved_from: date | None = None
    holiday: str | None = None


Days = tuple[int, ...] | workdays.Calendar
"""The working days a rule counts: work days alone (1 Monday to 7 Sunday), or a whole calendar with a country's
public holidays and make-up days (calendar(settings))."""


def work_days(settings: Settings) -> tuple[int, ...]:
    """The configured work days ([tickets] work_days, 1 Monday to 7 Sunday), without the public holidays:
    calendar(settings) has those too."""
    return settings.tickets.work_days


def calendar(settings: Settings) -> workdays.Calendar:
    """The working days the revisits, the call backs and the tickets' working hours count: the work days less the
    configured country's public holidays, plus its make-up working days (core/workdays.py)."""
    return workdays.calendar_for(settings)


def _calendar(days: Days) -> workdays.Calendar:
    return days if isinstance(days, workdays.Calendar) else workdays.Calendar(days)


def working_day(day: date, days: Days = workdays.WEEKDAYS) -> date:
    """The day itself, or the first working day after it (a Saturday's or a Sunday's is the Monday after with the
    default work days; a public holiday's the first working day after it, with a calendar)."""
    return _calendar(days).working_day(day)


def next_working_day(day: date, days: Days = workdays.WEEKDAYS) -> date:
    """The first working day after `day` (Friday's is Monday with the default work days)."""
    return _calendar(days).next_working_day(day)


def low_score(settings: Settings) -> int:
    """The low satisfaction mark ([revisits] low_score): a score at or below it plans a call back (0: never)."""
    return settings.revisits.low_score


def is_low(settings: Settings, score: int | None) -> bool:
    """Whether a satisfaction score is low: given, and at or below the settings' mark."""
    return score is not None and score <= low_score(settings)


def purpose_of(step: RevisitStep) -> str:
    """A configured step's purpose in the rep's language."""
    return step.purpose_zh if i18n.language == "zh" and step.purpose_zh else step.purpose


def template_for(settings: Settings, title: str) -> tuple[RevisitStep, ...]:
    """The steps for a won deal of this title: the first template one of whose words the title holds, else the
    default plan."""
    folded = title.casefold()
    for template in settings.revisits.templates:
        if any(word in folded for word in template.match):
            return template.steps
    return settings.revisits.steps


def template_lines(settings: Settings, title: str) -> list[RevisitLine]:
    """The plan proposed for a deal of this title, in the rep's language."""
    return [RevisitLine(step.days, step.channel, purpose_of(step)) for step in template_for(settings, title)]


def deal_template(ctx: Context, deal_id: str) -> list[RevisitLine]:
    """The plan proposed when this deal is won (the default plan for a deal not found or removed)."""
    with ctx.db.raw_read() as connection:
        title = store.deal_title(connection, deal_id)
    return template_lines(ctx.settings, title or "")


def close_channel(word: str) -> str | None:
    """The channel word (either language's, or an alias) `word` looks like a mistyping of, or None: Latin words
    by their letters, Chinese ones by their pinyin (CLOSE_LATIN, CLOSE_PINYIN)."""
    import difflib  # deferred: only a plan line whose second word is not a channel

    from crmtui.core.normalize import has_cjk  # deferred: as difflib

    folded = word.casefold()
    words = [*fields.CHANNELS, *fields.CHANNEL_ALIASES]
    if not has_cjk(folded):
        close = difflib.get_close_matches(folded, [w for w in words if not has_cjk(w)], n=1, cutoff=CLOSE_LATIN)
        return close[0] if close else None
    from crmtui.core.pinyin import pinyin_keys  # deferred: pypinyin, ~0.2 s once, for a Chinese word only

    sound = pinyin_keys(folded, person=False)[0]
    for channel_word in (w for w in words if has_cjk(w)):
        if difflib.SequenceMatcher(None, sound, pinyin_keys(channel_word, person=False)[0]).ratio() >= CLOSE_PINYIN:
            return channel_word
    return None


def parse_line(text: str) -> RevisitLine:
    """"30 visit 检查安装" (DAYS [CHANNEL] PURPOSE; the channel is a phone call when not given). A second word
    close to a channel word but not one ("phnoe", "vist") is refused naming the channels: taken for the purpose,
    the revisit would silently be a phone call. Any other word starts the purpose."""
    found = _LINE.match(text)
    if found is None:
        raise InvalidInput("revisit_plan", 'DAYS [CHANNEL] PURPOSE, e.g. "30 visit check the installation"', text.strip())
    days, rest = int(found.group(1)), found.group(2)
    if not 0 <= days <= MAX_DAYS:
        raise InvalidInput("revisit_plan", "days after signing from 0 to {most}", text.strip(), most=MAX_DAYS)
    first, _space, after = rest.partition(" ")
    try:
        channel = fields.channel(first) if after.strip() else None
    except InvalidInput:
        channel = None
        close = close_channel(first)
        if close is not None:
            raise InvalidInput("revisit_plan", '"{word}" is no channel (did you mean {close}?): one of {channels},'
                               " or no channel for a phone call", text.strip(), word=first, close=close,
                               channels=", ".join(fields.CHANNELS)) from None
    purpose = after if channel else rest
    cleaned = fields.single_line("revisit_plan", purpose, required=True)
    assert cleaned is not None
    return RevisitLine(days, channel or "phone", cleaned)


def parse_plan(texts: str | list[str]) -> list[RevisitLine]:
    """Every line of a plan (one text with lines separated by ; or line breaks, or a list of them), by days."""
    chunks = [texts] if isinstance(texts, str) else texts
    lines = [parse_line(part) for chunk in chunks for part in LINE_SEPARATOR.split(chunk) if part.strip()]
    return sorted(lines, key=lambda line: line.days)


def plan_text(lines: list[RevisitLine]) -> str:
    """A plan as one line the rep edits (the Won form's field)."""
    return "; ".join(line.text() for line in lines)


def schedule(lines: list[RevisitLine], signed_on: date, days: Days = workdays.WEEKDAYS) -> list[PlannedRevisit]:
    """Each line on its day: `days` after signing, moved to the next working day (of the work `days`, or of a
    calendar with public holidays) when it falls on another."""
    chosen = _calendar(days)
    planned = []
    for line in lines:
        day = signed_on + timedelta(days=line.days)
        due = chosen.working_day(day)
        moved = due != day
        planned.append(PlannedRevisit(line, due, day if moved else None,
                                      chosen.holiday(day, i18n.language) if moved else None))
    return planned


def write_plan(ctx: Context, customer_id: str, deal_id: str, lines: list[RevisitLine], signed_on: date,
               now: datetime) -> list[PlannedRevisit]:
    """Writes the plan of a deal won now (joining the write that wins it)."""
    planned = schedule(lines, signed_on, calendar(ctx.settings))
    with ctx.db.raw_write(now) as (connection, outbox):
        store.insert_revisits(connection, outbox, [
            store.NewRevisit(customer_id, deal_id, p.due_on, p.line.purpose, p.line.channel) for p in planned])
    return planned


def describe(planned: PlannedRevisit, today: date, plan: bool = True) -> str:
    """One line of a plan in the rep's language: its day, channel and purpose, and (`plan`: of a plan being made)
    why it moved and that it is already past."""
    # deferred: the date words and labels are needed only where a plan is shown
    from crmtui.core import labels
    from crmtui.core.dates import format_when
    from crmtui.core.i18n import _

    def day(value: date) -> str:
        return format_when(value, False, i18n.language, today)

    text = _("{day} · {channel} · {purpose}").format(day=day(planned.due_on), channel=labels.channel(planned.line.channel),
                                                     purpose=planned.line.purpose)
    if planned.moved_from is not None and planned.holiday:
        text += " " + _("({day} is a public holiday, {holiday}: moved to the next working day)").format(
            day=day(planned.moved_from), holiday=planned.holiday)
    elif planned.moved_from is not None:
        text += " " + (_("({day} is a weekend: moved to the next working day)")
                       if planned.moved_from.weekday() in WEEKEND
                       else _("({day} is not a working day: moved to the next one)")).format(day=day(planned.moved_from))
    if plan and planned.due_on < today:
        text += " " + _("(already past: it is due now)")
    return text


def plan_preview(ctx: Context, text: str, signed: str | date | None) -> str:
    """What the Won form would plan, as typed (signed today when not given yet); the refusal when it cannot."""
    # deferred: messages are worded only here
    from crmtui.core.errors import CrmError
    from crmtui.core.i18n import _

    local_now = ctx.clock.now()
    try:
        signed_on = fields.day("signed_on", signed, local_now, past=True) or local_now.date()
        planned = schedule(parse_plan(text), signed_on, calendar(ctx.settings))
    except CrmError as exc:
        return exc.labelled()  # the form's words: "Revisits: ...", not the command line's --revisit
    if not planned:
        return _("No revisits: none will be planned")
    return "\n".join(describe(p, local_now.date()) for p in planned)


# A customer's revisits ------------------------------------------------------------------------------------------

Revisit = store.RevisitRow
Score = store.Score


@dataclass(frozen=True)
class RevisitTimeline:
    """A customer's revisits (done and open, by due day) and satisfaction scores (oldest first)."""

    revisits: tuple[Revisit, ...]
    scores: tuple[Score, ...]


def revisit_timeline(ctx: Context, customer_id: str) -> RevisitTimeline:
    """The customer's revisits, with the follow-up that did each and its scores, and every score given."""
    with ctx.db.raw_read() as connection:
        return RevisitTimeline(tuple(store.revisits_of(connection, customer_id)),
                               tuple(store.scores_of(connection, customer_id)))


def open_revisits(ctx: Context, customer_id: str) -> list[Revisit]:
    """The customer's open revisits, earliest due first (the follow-up form offers them)."""
    with ctx.db.raw_read() as connection:
        return store.open_revisits_of(connection, customer_id)


def due_revisits(ctx: Context, day: date | None = None) -> list[Revisit]:
    """Every open revisit due on or before `day` (today by default), earliest first: the agenda's section."""
    with ctx.db.raw_read() as connection:
        return store.open_revisits_due(connection, day or ctx.clock.today())


def revisit_label(revisit: Revisit, today: date) -> str:
    """How a revisit is named when the rep chooses one: its day, channel and purpose."""
    return describe(PlannedRevisit(RevisitLine(0, revisit.channel or "phone", revisit.purpose), revisit.due_on), today,
                    plan=False)


def choose_revisit(open_ones: list[Revisit], ref: str | None, today: date, customer: str) -> Revisit | None:
    """The open revisit a follow-up with a satisfaction score completes.

    Named (`ref`: its id or first 4+ characters, its due day as 2026-11-27, or words of its purpose): that one, and
    a name that fits several is refused with them. Not named: the one due by today; none when none is due (the
    score is kept on the follow-up alone); refused with the candidates when several are due, for the rep to say
    which (never the earliest by guess)."""
    if ref is not None and ref.strip():
        wanted = ref.strip().casefold()
        tiers = (
            [r for r in open_ones if r.id == wanted or (len(wanted) >= 4 and r.id.startswith(wanted))],
            [r for r in open_ones if r.due_on.isoformat() == wanted],
            [r for r in open_ones if wanted in r.purpose.casefold()],
        )
        for found in tiers:
            if len(found) == 1:
                return found[0]
            if found:
                raise Ambiguous("revisit", ref, [Match(r.id, revisit_label(r, today)) for r in found])
        if not open_ones:
            raise InvalidInput("revisit", "an open revisit of {customer}; it has none", ref, customer=customer)
        raise InvalidInput("revisit", "an open revisit of {customer}: {names}", ref, customer=customer,
                           names=", ".join(f"{r.due_on.isoformat()} {r.purpose}" for r in open_ones[:10]))
    due = [r for r in open_ones if r.due_on <= today]
    if len(due) > 1:  # the customer was found: the rep says which of its revisits
        raise Ambiguous("revisit", customer, [Match(r.id, revisit_label(r, today)) for r in due],
                        advice=N_("say which with --revisit and its day or words of its purpose"))
    return due[0] if due else None


def check_score(name: str, value: object, low: int, high: int) -> int | None:
    """A satisfaction (1-5) or recommendation (0-10) score as typed, or None when not given."""
    if value is None or isinstance(value, str) and not value.strip():
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or not low <= int(text) <= high:
        raise InvalidInput(name, "a whole number from {low} to {high}", text, low=low, high=high)
    return int(text)


def sparkline(scores: tuple[Score, ...] | list[Score]) -> str:
    """The satisfaction scores over time as bars, one a score (1 lowest, 5 highest)."""
    bars = "▁▂▄▆█"
    return "".join(bars[score.satisfaction - 1] for score in scores if 1 <= score.satisfaction <= 5)


def deal_plan(ctx: Context, deal_id: str, lines: list[RevisitLine]) -> list[PlannedRevisit]:
    """The lines of a won deal's plan on their days, from its contract's signing (none without a contract)."""
    with ctx.db.raw_read() as connection:
        signed_on = store.deal_signed_on(connection, deal_id)
    return schedule(lines, signed_on, calendar(ctx.settings)) if signed_on and lines else []


# A low score's call back ----------------------------------------------------------------------------------------

CALL_BACK_SOURCES = ("revisit", "follow_up", "ticket")
"""Where a score that plans a call back was given: a revisit's follow-up, another follow-up, a ticket's close."""


@dataclass(frozen=True)
class CallBack:
    """The call back a low score asked for: its day, and whether it was planned now (`new`) or one was already
    open (then its own day)."""

    due_on: date
    purpose: str
    new: bool


def call_back_purpose(score: int, source: str, ticket: str | None = None) -> str:
    """What a call back is for, in the rep's language: the score and where it was given."""
    # deferred: the words are needed only for a low score
    from crmtui.core.i18n import _

    if source == "ticket":
        return _("Call back: satisfaction {score}/5 on ticket {number}, put it right").format(
            score=score, number=ticket or "")
    if source == "revisit":
        return _("Call back: satisfaction {score}/5 on the revisit, put it right").format(score=score)
    return _("Call back: satisfaction {score}/5 on a follow-up, put it right").format(score=score)


def call_back_day(ctx: Context) -> date:
    """The day a low score given today plans its call back: the next working day (public holidays skipped)."""
    return next_working_day(ctx.clock.today(), calendar(ctx.settings))


def call_back_note(ctx: Context, customer_id: str, satisfaction: str | None, completing: str | None) -> str:
    """What a follow-up completing a revisit (`completing`: its id) will do about a low score, said before it is
    saved, in the rep's words: the score typed is low, so a call back is planned on the next working day (or one
    is open already); no score yet, the mark and that day; "" for a score that is not low, or no mark at all."""
    # deferred: the words and the day's wording, only while a revisit's follow-up is being typed
    from crmtui.core.dates import format_when
    from crmtui.core.i18n import _

    mark = low_score(ctx.settings)
    if mark == 0:
        return ""
    try:
        score = check_score("satisfaction", satisfaction, 1, 5)
    except InvalidInput:
        return ""  # the refusal is the save's to say, on the field
    if score is not None and not is_low(ctx.settings, score):
        return ""
    today = ctx.clock.today()
    with ctx.db.raw_read() as connection:
        already = store.open_call_back(connection, customer_id)
    if already is not None and already.id != completing:
        day = format_when(already.due_on, False, i18n.language, today)
        if score is None:
            return _("A satisfaction of {mark} or less: the call back already planned on {day} stands").format(
                mark=mark, day=day)
        return _("Satisfaction {score}/5 is low: a call back is already planned on {day}").format(score=score, day=day)
    day = format_when(call_back_day(ctx), False, i18n.language, today)
    if score is None:
        return _("A satisfaction of {mark} or less plans a call back on {day}").format(mark=mark, day=day)
    return _("Satisfaction {score}/5 is low: a call back will be planned on {day}").format(score=score, day=day)


def call_back_in(ctx: Context, connection: sqlite3.Connection, outbox: OutboxWriter, customer_id: str, score: int | None,
                 source: str, ticket: str | None = None) -> CallBack | None:
    """plan_call_back inside a write already open (the follow-up's or the ticket's, so both stand or fall
    together)."""
    if source not in CALL_BACK_SOURCES:
        raise ValueError(f"a call back's source is one of {CALL_BACK_SOURCES}, not {source!r}")
    if not is_low(ctx.settings, score):
        return None
    assert score is not None
    already = store.open_call_back(connection, customer_id)
    if already is not None:
        return CallBack(already.due_on, already.purpose, False)
    due = call_back_day(ctx)
    purpose = call_back_purpose(score, source, ticket)
    store.insert_revisits(connection, outbox, [
        store.NewRevisit(customer_id, None, due, purpose, "phone")])
    return CallBack(due, purpose, True)


def plan_call_back(ctx: Context, customer_id: str, score: int | None, source: str,
                   ticket: str | None = None) -> CallBack | None:
    """A low satisfaction score (at or below [revisits] low_score) plans a call back: a revisit of no deal, by
    phone, due the next working day, its purpose saying the score and where it was given (`source`: "revisit",
    "follow_up" or "ticket", with the ticket's number). Unless the customer already has an open call back: then
    that one stands (returned, not new). Nothing for a score that is not low (None). The rep's own next
    follow-up is never touched."""
    with ctx.db.raw_write(ctx.clock.utcnow()) as (connection, outbox):
        return call_back_in(ctx, connection, outbox, customer_id, score, source, ticket)


# A planned revisit moved, dropped, or done without a score ------------------------------------------------------

def find_open_revisit(open_ones: list[Revisit], ref: str, today: date, now: datetime, customer: str) -> Revisit:
    """The open revisit `ref` names: its id (or first 4+ characters), its due day (2026-11-27, or any day the rep
    types: "12-03", "明天"), or words of its purpose. A reference that fits several is refused with them; one that
    fits none, naming the open ones."""
    try:
        return _find_open(open_ones, ref, today, now, customer)
    except InvalidInput as refusal:  # named as the reference it is here, not as `crm log`'s --revisit
        if refusal.field != "revisit":
            raise
        raise InvalidInput("revisit_ref", refusal.expected, refusal.value, **refusal.values) from None


def _find_open(open_ones: list[Revisit], ref: str, today: date, now: datetime, customer: str) -> Revisit:
    if not ref or not ref.strip():
        raise InvalidInput("revisit", "its due day or words of its purpose", ref)
    try:
        found = choose_revisit(open_ones, ref, today, customer)
    except InvalidInput as refusal:
        try:
            day = fields.day("revisit", ref, now)
        except InvalidInput:
            raise refusal from None
        on_day = [r for r in open_ones if r.due_on == day]
        if len(on_day) > 1:
            raise Ambiguous("revisit", ref, [Match(r.id, revisit_label(r, today)) for r in on_day]) from None
        if not on_day:
            raise refusal from None
        return on_day[0]
    assert found is not None
    return found


def customer_name_or_refusal(name: str | None, customer_id: str) -> str:
    """The customer's name, or the refusal when it is not found or removed."""
    from crmtui.core.errors import NotFound  # deferred: only a refusal needs it

    if name is None:
        raise NotFound("customer", customer_id)
    return name


def list_revisits(ctx: Context, customer_id: str | None = None) -> list[Revisit]:
    """A customer's revisits, done and open, by day; without a customer every open revisit, earliest first."""
    with ctx.db.raw_read() as connection:
        if customer_id is None:
            return store.open_revisits_due(connection, date.max)
        customer_name_or_refusal(store.customer_name(connection, customer_id), customer_id)
        return store.revisits_of(connection, customer_id)


def move_revisit(ctx: Context, customer_id: str, ref: str, to: str | date) -> Revisit:
    """Moves the customer's open revisit `ref` names to the day `to` (today or later); returns it as moved."""
    from dataclasses import replace  # deferred: only a move copies a row

    from crmtui.services import history  # deferred: the history's words, only for a change

    now = ctx.clock.now()
    day = fields.day("revisit_to", to, now)
    if day is None:
        raise InvalidInput("revisit_to", "a day, e.g. 2026-12-15 or 下周一", to)
    if day < now.date():
        raise InvalidInput("revisit_to", "today or a later day", day.isoformat())
    with ctx.db.raw_read() as connection:  # the purpose goes into the action's words, written first
        name = customer_name_or_refusal(store.customer_name(connection, customer_id), customer_id)
        revisit = find_open_revisit(store.open_revisits_of(connection, customer_id), ref, now.date(), now, name)
    with history.action(ctx, N_("Revisit moved ({purpose}): {old} → {new}"), purpose=revisit.purpose,
                        old=revisit.due_on.isoformat(), new=day.isoformat()), \
            ctx.db.raw_write(ctx.clock.utcnow()) as (connection, outbox):
        if not [r for r in store.open_revisits_of(connection, customer_id) if r.id == revisit.id]:
            raise InvalidInput("revisit_ref", "an open revisit of {customer}", ref, customer=name)
        if revisit.due_on != day:
            store.move(connection, outbox, revisit.id, day)
    return replace(revisit, due_on=day)


def drop_revisit(ctx: Context, customer_id: str, ref: str, reason: str | None) -> Revisit:
    """Drops the customer's open revisit `ref` names; the reason, when given, is kept in the history as the
    delete's words. Undo brings it back."""
    from crmtui.services import history  # deferred: the history's words, only for a change

    why = fields.single_line("reason", reason, required=False, max_len=500)
    now = ctx.clock.now()
    with ctx.db.raw_read() as connection:  # the purpose goes into the action's words, written first
        name = customer_name_or_refusal(store.customer_name(connection, customer_id), customer_id)
        revisit = find_open_revisit(store.open_revisits_of(connection, customer_id), ref, now.date(), now, name)
    words = (N_("Revisit dropped ({purpose}): {reason}"), {"reason": why}) if why else (N_("Revisit dropped ({purpose})"), {})
    with history.action(ctx, words[0], purpose=revisit.purpose, **words[1]), \
            ctx.db.raw_write(ctx.clock.utcnow()) as (connection, outbox):
        still = [r for r in store.open_revisits_of(connection, customer_id) if r.id == revisit.id]
        if not still:  # done or dropped meanwhile (a sync)
            raise InvalidInput("revisit_ref", "an open revisit of {customer}", ref, customer=name)
        store.drop(connection, outbox, revisit.id)
    return revisit
