"""The rep's settings: one TOML file in the config dir, with documented defaults (docs/configuration.md)."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field, fields, replace
from datetime import date, time
from pathlib import Path
from typing import Any

from crmtui.core.errors import InvalidInput
from crmtui.core.formatting import parse_amount
from crmtui.core.normalize import is_phone_region
from crmtui.core.paths import config_path


@dataclass(frozen=True)
class Stage:
    """One pipeline stage: a stable key, its names, and the win probability used in forecasts."""

    key: str
    name: str
    name_zh: str
    probability: int


DEFAULT_STAGES: tuple[Stage, ...] = (
    Stage("initial", "Initial contact", "初步接触", 10),
    Stage("needs", "Needs confirmed", "需求确认", 20),
    Stage("proposal", "Proposal", "方案", 40),
    Stage("quote", "Quote", "报价", 60),
    Stage("negotiation", "Negotiation", "谈判", 80),
    Stage("won", "Won", "赢单", 100),
    Stage("lost", "Lost", "丢单", 0),
)
"""Won and Lost must keep the keys `won` and `lost`: their gates hang on them."""


@dataclass(frozen=True)
class ScoreWeights:
    """Points a lead earns for each signal of quality (lead score 线索评分, 0-100)."""

    has_phone_or_email: int = 20
    has_interest: int = 20
    quality_source: int = 30
    decision_maker: int = 30
    quality_sources: tuple[str, ...] = ("referral", "inbound", "转介绍", "老客户", "官网")
    tier_a: int = 70
    tier_b: int = 40


RFM_SEGMENTS = ("champions", "loyal", "promising", "at_risk", "lost", "hibernating", "needs_attention")
"""The customer value segments, in the order their rules are tried (docs/reports.md)."""


@dataclass(frozen=True)
class RfmSettings:
    """The [rfm] table: how the customer value report scores recency, frequency and money, and suggests tiers."""

    recency_days: tuple[int, ...] = (14, 30, 90, 180)
    """Days since the last purchase or contact: up to the first is 5, up to the second 4, ... beyond the last 1."""
    frequency: tuple[int, ...] = (2, 5, 10, 20)
    """Purchases and contacts in the last 12 months: 1, plus one for each of these reached (0 or 1 is 1, 20 or
    more 5)."""
    monetary: tuple[int, ...] = (1000, 10000, 50000, 200000)
    """Money of the last 12 months in whole currency units: 1, plus one for each of these reached."""
    tier_a: tuple[str, ...] = ("champions", "loyal")
    """Segments suggested tier A when their money score is at least tier_a_monetary."""
    tier_a_monetary: int = 4
    tier_b: tuple[str, ...] = ("champions", "loyal", "promising", "at_risk")
    """Segments suggested tier B (when not A); every other segment is suggested C."""


TICKET_PRIORITIES = ("low", "normal", "high", "urgent")
"""A service request's priorities, lowest first (their hours are set in [tickets])."""


@dataclass(frozen=True)
class TicketSettings:
    """The [tickets] table: how long a service request (工单) may wait for an answer and for its resolution, by
    priority, and the working hours those deadlines count in (docs/tickets.md)."""

    response_hours: tuple[tuple[str, int], ...] = (("low", 24), ("normal", 8), ("high", 4), ("urgent", 2))
    """Hours to the first answer (a note or a move out of open), by priority."""
    resolution_hours: tuple[tuple[str, int], ...] = (("low", 80), ("normal", 40), ("high", 24), ("urgent", 8))
    """Hours to resolve, by priority."""
    clock_hours: tuple[str, ...] = ("urgent",)
    """Priorities whose hours run around the clock (nights and weekends count); the others count working hours."""
    work_days: tuple[int, ...] = (1, 2, 3, 4, 5)
    """The working days, 1 Monday to 7 Sunday; the revisit plans and the low scores' call backs count the same
    days (core/workdays.py)."""
    work_start: time = time(9, 0)
    work_end: time = time(18, 0)
    """The working day, in the rep's time zone."""
    soon_hours: int = 4
    """A ticket whose deadline is this close (clock hours) is due soon."""

    def hours(self, which: str, priority: str) -> int:
        """The response or resolution hours (`which`: "response" or "resolution") of a priority."""
        table = self.response_hours if which == "response" else self.resolution_hours
        return dict(table)[priority]


@dataclass(frozen=True)
class RevisitStep:
    """One revisit of a plan (回访): `days` after the contract is signed, by `channel`, for `purpose` (shown in
    English, or as `purpose_zh` in Chinese when given)."""

    days: int
    channel: str
    purpose: str
    purpose_zh: str = ""


DEFAULT_REVISIT_STEPS: tuple[RevisitStep, ...] = (
    RevisitStep(3, "phone", "Confirm delivery", "确认交付"),
    RevisitStep(30, "visit", "Check how it is used", "检查使用情况"),
    RevisitStep(90, "meeting", "Review", "回顾"),
)


@dataclass(frozen=True)
class RevisitTemplate:
    """A plan for the won deals whose title holds one of `match` (case-insensitive): the deal type."""

    match: tuple[str, ...]
    steps: tuple[RevisitStep, ...]


@dataclass(frozen=True)
class RevisitSettings:
    """The [revisits] table: the plan proposed when a deal is won, per deal type, and the low satisfaction mark."""

    steps: tuple[RevisitStep, ...] = DEFAULT_REVISIT_STEPS
    """The plan of a won deal no template matches."""
    templates: tuple[RevisitTemplate, ...] = ()
    """Tried in order: the first whose word is in the deal's title gives the plan."""
    low_score: int = 2
    """A satisfaction (1-5) at or below it asks for a call back the next working day."""


@dataclass(frozen=True)
class SyncSettings:
    """The [sync] table, written by `crm sync setup`: where the team server is and who this rep is.

    The password is never here: it lives in the OS keyring.
    """

    server: str = ""
    """postgresql://host:port/database (no user, no password)."""
    user: str = ""
    interval: int = 60
    """Seconds between background sync rounds in the app (0: only on the key)."""
    allow_insecure: bool = False
    """Allow a non-local server without verified TLS (set by `crm sync setup --insecure`)."""

    @property
    def configured(self) -> bool:
        return bool(self.server and self.user)


HOLIDAYS = ("元旦", "春节", "端午", "中秋", "国庆", "劳动节")
"""The holidays `[agenda] holidays` may name (or their English keys in HOLIDAY_KEYS); a fixed day of the year is
given as a table instead: {name = "店庆", date = "06-18"}."""
HOLIDAY_KEYS = {"new_year": "元旦", "spring_festival": "春节", "dragon_boat": "端午", "mid_autumn": "中秋",
                "national_day": "国庆", "labour_day": "劳动节"}


@dataclass(frozen=True)
class AgendaSettings:
    """The [agenda] table: the after-sale sections of Today (docs/agenda.md)."""

    care_days: tuple[tuple[str, int], ...] = (("A", 14), ("B", 30), ("C", 90))
    """Care by tier: (tier, days); a customer of that tier not contacted for longer is due for a touch."""
    service_days: int = 7
    """Days before a service date the agenda reminds of it."""
    warranty_days: int = 30
    """Days before a warranty ends the agenda reminds of it."""
    holidays: tuple[tuple[str, str], ...] = (("春节", ""), ("中秋", ""))
    """(name, "MM-DD"): a name of HOLIDAYS with "" (its date worked out each year), or a fixed day of the year."""
    holiday_days: int = 7
    """Days before a holiday the agenda reminds to greet the key customers."""
    holiday_tag: str = ""
    """Customers with this tag are key customers too (besides tier A); "": tier A only."""
    escalate_days: int = 3
    """A manager's agenda lists a rep's follow-up overdue by more than this many days."""

    def care(self, tier: str) -> int | None:
        """The days of a tier's cadence (None: the tier has none)."""
        return dict(self.care_days).get(tier)


@dataclass(frozen=True)
class ReminderSettings:
    """The [reminders] table: when `crm remind` and the app tell the rep what came due (docs/reminders.md)."""

    at: time = time(9, 0)
    """The moment of the day a day's reminder comes due: a revisit, an instalment, a renewal entering its window,
    a birthday (in the rep's time zone)."""
    quiet_start: time | None = time(22, 0)
    quiet_end: time | None = time(8, 0)
    """Quiet hours: a reminder coming due between them waits until they end (None, or both equal: none)."""


@dataclass(frozen=True)
class WorkdaySettings:
    """The [workdays] table: whose public holidays are days off for the revisits, the low scores' call backs and
    the tickets' working hours (core/workdays.py; the work days themselves are [tickets] work_days)."""

    country: str = "auto"
    """A two-letter country code ("CN", "HK", "SG"), "auto" for phone_region's, or "none" for no holidays."""


@dataclass(frozen=True)
class Settings:
    """Every setting with its default; see docs/configuration.md."""

    language: str = "auto"
    timezone: str = ""
    default_time: time = time(9, 0)
    stall_days: int = 7
    speed_to_lead_hours: int = 24
    renewal_days: int = 30
    payment_days: int = 7
    birthday_days: int = 7
    stage_follow_up_days: int = 2
    skip_stages: bool = True
    """A deal may move forward past stages (their gates are asked); false: one stage at a time (不能跳步)."""
    bell: bool = False
    stages: tuple[Stage, ...] = DEFAULT_STAGES
    score: ScoreWeights = field(default_factory=ScoreWeights)
    keys: tuple[tuple[str, str], ...] = ()
    """Remapped key bindings: (binding id, keys), from the [keys] table."""
    theme: str = ""
    phone_region: str = "CN"
    """The country of a phone number typed without its country code (ISO 3166 two-letter code)."""
    calendar_file: str = ""
    """An iCalendar file rewritten after every change, for a calendar app subscribed to it ("": off)."""
    monthly_target_cents: int = 0
    """The rep's sales target for a month (`monthly_target`), in cents: the forecast sets each month's won amount
    against it (0: no target)."""
    sync: SyncSettings = field(default_factory=SyncSettings)
    rfm: RfmSettings = field(default_factory=RfmSettings)
    tickets: TicketSettings = field(default_factory=TicketSettings)
    revisits: RevisitSettings = field(default_factory=RevisitSettings)
    reminders: ReminderSettings = field(default_factory=ReminderSettings)
    agenda: AgendaSettings = field(default_factory=AgendaSettings)
    workdays: WorkdaySettings = field(default_factory=WorkdaySettings)

    def stage(self, key: str) -> Stage:
        """The stage with this key (case-insensitive; English or Chinese name accepted)."""
        wanted = key.strip().casefold()
        for stage in self.stages:
            if wanted in (stage.key, stage.name.casefold(), stage.name_zh):
                return stage
        keys = ", ".join(s.key for s in self.stages)
        raise InvalidInput("stage", "one of {keys}", key, keys=keys)

    def stage_index(self, key: str) -> int:
        """Position of a stage in the pipeline (Lost sorts last)."""
        return [s.key for s in self.stages].index(key)


THEMES = (
    "ansi-dark", "ansi-light", "atom-one-dark", "atom-one-light", "catppuccin-frappe", "catppuccin-latte",
    "catppuccin-macchiato", "catppuccin-mocha", "dracula", "flexoki", "gruvbox", "monokai", "nord", "rose-pine",
    "rose-pine-dawn", "rose-pine-moon", "solarized-dark", "solarized-light", "textual-dark", "textual-light",
    "tokyo-night",
)
"""Textual's own themes (a test keeps this equal to textual.theme.BUILTIN_THEMES): checked without importing
Textual, so `crm today` refuses the same config the app would."""

_SIMPLE = {
    "language": str,
    "timezone": str,
    "stall_days": int,
    "speed_to_lead_hours": int,
    "renewal_days": int,
    "payment_days": int,
    "birthday_days": int,
    "stage_follow_up_days": int,
    "skip_stages": bool,
    "bell": bool,
    "theme": str,
    "phone_region": str,
    "calendar_file": str,
}


def _check(name: str, value: object, kind: type) -> object:
    if kind is int and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
        raise InvalidInput(f"config {name}", "a whole number >= 0", value)
    if kind is bool and not isinstance(value, bool):
        raise InvalidInput(f"config {name}", "true or false", value)
    if kind is str and not isinstance(value, str):
        raise InvalidInput(f"config {name}", "a string in quotes", value)
    return value


def _parse_time(value: object, name: str = "config default_time") -> time:
    try:
        hour, minute = str(value).split(":")
        return time(int(hour), int(minute))
    except ValueError:
        raise InvalidInput(name, 'a time like "09:00"', value) from None


def _parse_stages(items: object) -> tuple[Stage, ...]:
    if not isinstance(items, list) or not items:
        raise InvalidInput("config stages", "a list of [[stages]] tables", items)
    stages = []
    for item in items:
        try:
            stages.append(
                Stage(
                    key=str(item["key"]),
                    name=str(item.get("name", item["key"])),
                    name_zh=str(item.get("name_zh", item.get("name", item["key"]))),
                    probability=int(item["probability"]),
                )
            )
        except (KeyError, TypeError, ValueError):
            raise InvalidInput("config stages", "each with key and probability (0-100)", item) from None
    keys = [s.key for s in stages]
    if "won" not in keys or "lost" not in keys:
        raise InvalidInput("config stages", 'stages with the keys "won" and "lost"', keys)
    return tuple(stages)


def _parse_sync(table: object) -> SyncSettings:
    if not isinstance(table, dict):
        raise InvalidInput("config sync", "a [sync] table", table)
    kinds = {"server": str, "user": str, "interval": int, "allow_insecure": bool}
    unknown = set(table) - set(kinds)
    if unknown:
        raise InvalidInput("config sync", f"only {', '.join(sorted(kinds))}", sorted(unknown))
    for name, value in table.items():
        _check(f"sync.{name}", value, kinds[name])
    return SyncSettings(**table)


def _thresholds(name: str, value: object) -> tuple[int, ...]:
    """Four whole numbers >= 0 in increasing order."""
    if (not isinstance(value, list) or len(value) != 4
            or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value)
            or any(a >= b for a, b in zip(value, value[1:], strict=False))):
        raise InvalidInput(f"config rfm.{name}", "four whole numbers >= 0, each larger than the one before", value)
    return tuple(value)


def _parse_rfm(table: object) -> RfmSettings:
    if not isinstance(table, dict):
        raise InvalidInput("config rfm", "an [rfm] table", table)
    known = {f.name for f in fields(RfmSettings)}
    unknown = set(table) - known
    if unknown:
        raise InvalidInput("config rfm", "only {names}", sorted(unknown), names=", ".join(sorted(known)))
    values: dict[str, Any] = {}
    for name in ("recency_days", "frequency", "monetary"):
        if name in table:
            values[name] = _thresholds(name, table[name])
    for name in ("tier_a", "tier_b"):
        if name in table:
            chosen = table[name]
            if not isinstance(chosen, list) or not all(isinstance(v, str) and v in RFM_SEGMENTS for v in chosen):
                raise InvalidInput(f"config rfm.{name}", "a list of segments among {names}", chosen,
                                   names=", ".join(RFM_SEGMENTS))
            values[name] = tuple(chosen)
    if "tier_a_monetary" in table:
        score = table["tier_a_monetary"]
        if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
            raise InvalidInput("config rfm.tier_a_monetary", "a score from 1 to 5", score)
        values["tier_a_monetary"] = score
    return replace(RfmSettings(), **values)


_REVISIT_CHANNELS = ("phone", "wechat", "visit", "email", "meeting", "sms", "other")
"""The channels a planned revisit may name (those of a follow-up)."""


def _revisit_steps(name: str, items: object) -> tuple[RevisitStep, ...]:
    """A list of steps, each { days = 3, channel = "phone", purpose = "...", purpose_zh = "..." }."""
    if not isinstance(items, list):
        raise InvalidInput(f"config {name}", "a list of { days, channel, purpose } tables", items)
    steps = []
    for index, item in enumerate(items, start=1):
        where = f"config {name}[{index}]"
        if not isinstance(item, dict):
            raise InvalidInput(where, "a { days, channel, purpose } table", item)
        unknown = set(item) - {"days", "channel", "purpose", "purpose_zh"}
        if unknown:
            raise InvalidInput(where, "only days, channel, purpose, purpose_zh", sorted(unknown))
        days = item.get("days")
        if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= 3650:
            raise InvalidInput(f"{where}.days", "a whole number of days after signing, 0 to 3650", days)
        channel = item.get("channel", "phone")
        if channel not in _REVISIT_CHANNELS:
            raise InvalidInput(f"{where}.channel", "one of {names}", channel, names=", ".join(_REVISIT_CHANNELS))
        purpose, purpose_zh = item.get("purpose"), item.get("purpose_zh", "")
        if not isinstance(purpose, str) or not purpose.strip() or len(purpose) > 200:
            raise InvalidInput(f"{where}.purpose", "a text of 1 to 200 characters", purpose)
        if not isinstance(purpose_zh, str) or len(purpose_zh) > 200:
            raise InvalidInput(f"{where}.purpose_zh", "a text of at most 200 characters", purpose_zh)
        steps.append(RevisitStep(days, channel, purpose.strip(), purpose_zh.strip()))
    return tuple(sorted(steps, key=lambda step: step.days))


def _parse_revisits(table: object) -> RevisitSettings:
    if not isinstance(table, dict):
        raise InvalidInput("config revisits", "a [revisits] table", table)
    unknown = set(table) - {"steps", "templates", "low_score"}
    if unknown:
        raise InvalidInput("config revisits", "only steps, templates, low_score", sorted(unknown))
    values: dict[str, Any] = {}
    if "steps" in table:
        values["steps"] = _revisit_steps("revisits.steps", table["steps"])
    if "low_score" in table:
        low = table["low_score"]
        if not isinstance(low, int) or isinstance(low, bool) or not 0 <= low <= 5:
            raise InvalidInput("config revisits.low_score", "a satisfaction score from 0 (never) to 5", low)
        values["low_score"] = low
    templates = table.get("templates", [])
    if not isinstance(templates, list):
        raise InvalidInput("config revisits.templates", "a list of [[revisits.templates]] tables", templates)
    made = []
    for index, item in enumerate(templates, start=1):
        where = f"config revisits.templates[{index}]"
        if not isinstance(item, dict) or set(item) - {"match", "steps"}:
            raise InvalidInput(where, "a table with match and steps only", item)
        match = item.get("match")
        if (not isinstance(match, list) or not match
                or not all(isinstance(word, str) and word.strip() for word in match)):
            raise InvalidInput(f"{where}.match", "a list of words of a deal's title", match)
        made.append(RevisitTemplate(tuple(word.strip().casefold() for word in match),
                                    _revisit_steps(f"revisits.templates[{index}].steps", item.get("steps"))))
    values["templates"] = tuple(made)
    return replace(RevisitSettings(), **values)


def _parse_target(value: object) -> int:
    """`monthly_target`: an amount as the rep types one (500000, "50万", "500k"), or 0 for none; in cents."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidInput("config monthly_target", 'an amount such as 500000 or "50万", or 0 for none', value)
    if isinstance(value, int | float) and value == 0 or isinstance(value, str) and value.strip() in ("", "0"):
        return 0
    return parse_amount(value, "config monthly_target") or 0


MAX_TICKET_HOURS = 1000
"""The most hours a ticket's priority may give to answer or resolve: 25 weeks of 40 working hours, or 6 weeks
around the clock. More is no promise to a customer, and a typo (200000) is refused naming the setting."""


def _parse_tickets(table: object) -> TicketSettings:
    if not isinstance(table, dict):
        raise InvalidInput("config tickets", "a [tickets] table", table)
    known = {f.name for f in fields(TicketSettings)}
    unknown = set(table) - known
    if unknown:
        raise InvalidInput("config tickets", "only {names}", sorted(unknown), names=", ".join(sorted(known)))
    values: dict[str, Any] = {}
    for name in ("response_hours", "resolution_hours"):
        if name in table:
            hours = table[name]
            if (not isinstance(hours, dict) or set(hours) - set(TICKET_PRIORITIES)
                    or not all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= MAX_TICKET_HOURS
                               for v in hours.values())):
                raise InvalidInput(f"config tickets.{name}", "a table of whole hours from 1 to {most} by priority"
                                   " ({names})", hours, most=MAX_TICKET_HOURS, names=", ".join(TICKET_PRIORITIES))
            values[name] = tuple({**dict(getattr(TicketSettings(), name)), **hours}.items())
    if "clock_hours" in table:
        chosen = table["clock_hours"]
        if not isinstance(chosen, list) or not all(isinstance(v, str) and v in TICKET_PRIORITIES for v in chosen):
            raise InvalidInput("config tickets.clock_hours", "a list of priorities among {names}", chosen,
                               names=", ".join(TICKET_PRIORITIES))
        values["clock_hours"] = tuple(chosen)
    if "work_days" in table:
        days = table["work_days"]
        if (not isinstance(days, list) or not days
                or not all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 7 for v in days)):
            raise InvalidInput("config tickets.work_days", "a list of days, 1 Monday to 7 Sunday", days)
        values["work_days"] = tuple(sorted(set(days)))
    for name in ("work_start", "work_end"):
        if name in table:
            values[name] = _parse_time(table[name], f"config tickets.{name}")
    if values.get("work_start", time(9)) >= values.get("work_end", time(18)):
        raise InvalidInput("config tickets.work_end", "a time after work_start", table.get("work_end"))
    if "soon_hours" in table:
        values["soon_hours"] = _check("tickets.soon_hours", table["soon_hours"], int)
    return replace(TicketSettings(), **values)


def _parse_holiday(item: object) -> tuple[str, str]:
    """A holiday of `[agenda] holidays`: a name of HOLIDAYS (or its English key), or {name, date = "MM-DD"}."""
    if isinstance(item, str) and (item in HOLIDAYS or item in HOLIDAY_KEYS):
        return HOLIDAY_KEYS.get(item, item), ""
    if isinstance(item, dict) and set(item) == {"name", "date"} and isinstance(item["name"], str) and item["name"]:
        text = item["date"]
        try:
            month, day = (int(part) for part in str(text).split("-"))
            date(2024, month, day)  # a leap year: 02-29 is a day of the year
        except ValueError:
            raise InvalidInput("config agenda.holidays", 'a day of the year as "MM-DD", such as "06-18"',
                               text) from None
        return item["name"], f"{month:02d}-{day:02d}"
    raise InvalidInput("config agenda.holidays", 'names among {names}, or tables like {{name = "店庆", date = "06-18"}}',
                       item, names=", ".join(HOLIDAYS))


def _parse_agenda(table: object) -> AgendaSettings:
    if not isinstance(table, dict):
        raise InvalidInput("config agenda", "an [agenda] table", table)
    known = {f.name for f in fields(AgendaSettings)}
    unknown = set(table) - known
    if unknown:
        raise InvalidInput("config agenda", "only {names}", sorted(unknown), names=", ".join(sorted(known)))
    values: dict[str, Any] = {}
    for name in ("service_days", "warranty_days", "holiday_days", "escalate_days"):
        if name in table:
            values[name] = _check(f"agenda.{name}", table[name], int)
    if "holiday_tag" in table:
        values["holiday_tag"] = str(_check("agenda.holiday_tag", table["holiday_tag"], str)).strip()
    if "care_days" in table:
        care = table["care_days"]
        if not isinstance(care, dict) or not all(
                isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in care.values()):
            raise InvalidInput("config agenda.care_days", "a table of tier = days (a whole number > 0), such as {example}",
                               care, example="{A = 14, B = 30, C = 90}")
        # A tier left out keeps its default cadence.
        values["care_days"] = tuple(sorted({**dict(AgendaSettings().care_days), **care}.items()))
    if "holidays" in table:
        chosen = table["holidays"]
        if not isinstance(chosen, list):
            raise InvalidInput("config agenda.holidays", "a list of holidays", chosen)
        values["holidays"] = tuple(_parse_holiday(item) for item in chosen)
    return replace(AgendaSettings(), **values)


def _parse_reminders(table: object) -> ReminderSettings:
    if not isinstance(table, dict):
        raise InvalidInput("config reminders", "a [reminders] table", table)
    known = {f.name for f in fields(ReminderSettings)}
    unknown = set(table) - known
    if unknown:
        raise InvalidInput("config reminders", "only {names}", sorted(unknown), names=", ".join(sorted(known)))
    values: dict[str, Any] = {}
    for name in ("at", "quiet_start", "quiet_end"):
        if name not in table:
            continue
        text = table[name]
        if name != "at" and text == "":
            values[name] = None  # no quiet hours
            continue
        try:
            hour, minute = str(text).split(":")
            values[name] = time(int(hour), int(minute))
        except ValueError:
            expected = 'a time like "09:00"' if name == "at" else 'a time like "22:00", or "" for no quiet hours'
            raise InvalidInput(f"config reminders.{name}", expected, text) from None
    found = replace(ReminderSettings(), **values)
    if (found.quiet_start is None) != (found.quiet_end is None):
        raise InvalidInput("config reminders.quiet_end", 'both quiet_start and quiet_end, or both ""',
                           table.get("quiet_end", table.get("quiet_start")))
    return found


def _parse_workdays(table: object) -> WorkdaySettings:
    if not isinstance(table, dict) or set(table) - {"country"}:
        raise InvalidInput("config workdays", "a [workdays] table with country only", table)
    if "country" not in table:
        return WorkdaySettings()
    country = table["country"]
    text = country.strip() if isinstance(country, str) else ""
    if text.casefold() in ("auto", "none"):
        return WorkdaySettings(text.casefold())
    if len(text) != 2 or not text.isascii() or not text.isalpha():
        # whether the holidays library knows the country is checked when a working day is first asked for
        raise InvalidInput("config workdays.country", 'a two-letter country code such as "CN", "auto" for'
                           ' phone_region\'s, or "none"', country)
    return WorkdaySettings(text.upper())


def settings_from_dict(data: dict) -> Settings:
    """Builds Settings from parsed TOML, naming the setting when a value is wrong."""
    values: dict[str, Any] = {}
    for name, kind in _SIMPLE.items():
        if name in data:
            values[name] = _check(name, data[name], kind)
    if values.get("language", "auto") not in ("auto", "en", "zh"):
        raise InvalidInput("config language", '"auto", "en" or "zh"', values["language"])
    if values.get("theme") and values["theme"] not in THEMES:
        raise InvalidInput("config theme", "one of {names}, or empty for the default", values["theme"],
                           names=", ".join(THEMES))
    if values.get("timezone"):
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # deferred: ~6 ms, for a timezone setting only

        try:
            ZoneInfo(str(values["timezone"]))
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput("config timezone", 'an IANA zone such as "Asia/Shanghai"', values["timezone"]) from None
    if "phone_region" in values:
        if not is_phone_region(str(values["phone_region"])):
            raise InvalidInput("config phone_region", 'a two-letter country code such as "CN" or "US"',
                               values["phone_region"])
        values["phone_region"] = str(values["phone_region"]).upper()
    if "default_time" in data:
        values["default_time"] = _parse_time(data["default_time"])
    if "stages" in data:
        values["stages"] = _parse_stages(data["stages"])
    if "score" in data:
        score = data["score"]
        if not isinstance(score, dict):
            raise InvalidInput("config score", "a [score] table", score)
        for name, value in score.items():
            if name == "quality_sources":
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise InvalidInput("config score.quality_sources", "a list of strings", value)
            elif name in {f.name for f in fields(ScoreWeights)}:
                _check(f"score.{name}", value, int)
        known = {f.name for f in fields(ScoreWeights)}
        unknown = set(score) - known
        if unknown:
            raise InvalidInput("config score", "only {names}", sorted(unknown), names=", ".join(sorted(known)))
        if "quality_sources" in score:
            score = {**score, "quality_sources": tuple(score["quality_sources"])}
        values["score"] = replace(ScoreWeights(), **score)
    if "keys" in data:
        keys = data["keys"]
        if not isinstance(keys, dict) or not all(isinstance(v, str) and v for v in keys.values()):
            raise InvalidInput("config keys", 'a [keys] table of binding id = "key", e.g. log = "ctrl+l"', keys)
        from crmtui.core.keymap import IDS, KEPT, bad_key, clash  # deferred: ~8 ms, for a [keys] table only

        unknown_ids = sorted(set(keys) - IDS)
        if unknown_ids:
            raise InvalidInput("config keys", "binding ids of the app (see docs/configuration.md), not {names}",
                               unknown_ids, names=", ".join(unknown_ids))
        for binding_id, value in keys.items():
            wrong = bad_key(value)
            if wrong is not None:
                raise InvalidInput(f"config keys.{binding_id}",
                                   'key names such as "l", "ctrl+l" or "f5", none of {kept}', wrong,
                                   kept=", ".join(KEPT))
        taken = clash(keys)
        if taken:
            key, first, second = taken
            raise InvalidInput("config keys", "one action per key: {key} would be both {first} and {second}",
                               key=key, first=first, second=second)
        values["keys"] = tuple(sorted(keys.items()))
    if "monthly_target" in data:
        values["monthly_target_cents"] = _parse_target(data["monthly_target"])
    if "sync" in data:
        values["sync"] = _parse_sync(data["sync"])
    if "rfm" in data:
        values["rfm"] = _parse_rfm(data["rfm"])
    if "tickets" in data:
        values["tickets"] = _parse_tickets(data["tickets"])
    if "revisits" in data:
        values["revisits"] = _parse_revisits(data["revisits"])
    known = set(_SIMPLE) | {"default_time", "stages", "score", "sync", "keys", "monthly_target", "rfm",
                             "tickets"}
    known.add("revisits")
    if "reminders" in data:
        values["reminders"] = _parse_reminders(data["reminders"])
    known.add("reminders")
    if "agenda" in data:
        values["agenda"] = _parse_agenda(data["agenda"])
    known.add("agenda")
    if "workdays" in data:
        values["workdays"] = _parse_workdays(data["workdays"])
    known.add("workdays")
    unknown = set(data) - known
    if unknown:
        raise InvalidInput("config", "known settings only (unknown: {names})", names=", ".join(sorted(unknown)))
    return Settings(**values)


def load_settings(path: Path | None = None) -> Settings:
    """Reads config.toml; a missing file gives the defaults."""
    if path is None:
        path = config_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput("config_file", "valid TOML in {path} ({error})", path=path, error=exc) from None
    return settings_from_dict(data)


def save_sync_settings(sync: SyncSettings, path: Path | None = None) -> Path:
    """Writes the [sync] table into config.toml, keeping every other line of the file as it was."""
    if path is None:
        path = config_path()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = []
    kept: list[str] = []
    inside = False
    for line in lines:
        header = line.strip()
        if header.startswith("["):
            inside = header.replace(" ", "") == "[sync]"
        if not inside:
            kept.append(line)
    while kept and not kept[-1].strip():
        kept.pop()
    # JSON strings are valid TOML basic strings.
    table = ["[sync]", f"server = {json.dumps(sync.server)}", f"user = {json.dumps(sync.user)}",
             f"interval = {sync.interval}", f"allow_insecure = {'true' if sync.allow_insecure else 'false'}"]
    text = "\n".join([*kept, "", *table] if kept else table) + "\n"
    settings_from_dict(tomllib.loads(text))  # never write a file that would not load
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
