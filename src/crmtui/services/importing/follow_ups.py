"""`crm import --kind follow-ups`: the follow-up history of another system or a spreadsheet.

Each row names its customer (found by its exact name, or added), when it happened (`at`), the channel (电话, call,
拜访, 微信, email...: mapped to ours, anything else kept as Other with its word in the notes) and the notes, and
whatever structure the file has: the goal, whether it was met, the next plan and the next date, the contact spoken
to and the deal it was about (by name; one the book does not hold is kept in the notes).

An imported follow-up is history, marked with the file it came from: it may lack the goal and the next step that
a follow-up logged today must have (`crm log` and the app still ask for every field). It is written as any
follow-up is: it becomes the customer's last contact, and its next date the customer's next follow-up, only when
it is newer than every follow-up the customer has; an older one joins the timeline and moves nothing, so a next
date long past does not put the customer on today's agenda as overdue. Nor does history undo a plan: a row with no
next date, or dated before the customer's planned follow-up, leaves that plan. The same file imported again creates
nothing: a row is recognised by its id column, or by its customer, moment and notes. crmtui's own export is
recognised by its `id` column: in the book it came from, the follow-up of that id (its time is written to the
minute, so the moment alone would miss it); in another book, the follow-up an earlier import of it made, which keeps
that id as its foreign id. Follow-ups are never edited, so a row recognised is left out whatever it says.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crmtui.core import normalize
from crmtui.core.errors import InvalidInput
from crmtui.core.i18n import _
from crmtui.core.labels import DateProblem
from crmtui.services import fields
from crmtui.services.importing.history import Cells, HistoryRun, RowRefused, kind_of
from crmtui.services.importing.readers import Row
from crmtui.store import follow_ups as follow_up_store
from crmtui.store import imported_history as store
from crmtui.store.raw import to_db

FIELDS = frozenset({"customer", "type", "at", "channel", "notes", "goal", "met", "next-plan", "next", "external_id",
                    "id", "contact", "deal"})

CHANNEL_WORDS = {
    "phone call": "phone", "call": "phone", "phone": "phone", "telephone": "phone", "电话": "phone", "电话沟通": "phone",
    "电话拜访": "phone", "打电话": "phone", "来电": "phone", "去电": "phone", "visit": "visit", "拜访": "visit",
    "上门": "visit", "上门拜访": "visit", "面访": "visit", "实地拜访": "visit", "wechat": "wechat", "微信": "wechat",
    "微信沟通": "wechat", "weixin": "wechat", "email": "email", "e-mail": "email", "mail": "email", "邮件": "email",
    "邮箱": "email", "电子邮件": "email", "meeting": "meeting", "会议": "meeting", "面谈": "meeting", "会面": "meeting",
    "视频会议": "meeting", "video call": "meeting", "sms": "sms", "text": "sms", "短信": "sms", "other": "other",
    "其他": "other", "其它": "other", "qq": "other", "钉钉": "other",
}
"""Channels as other systems and sheets write them, folded (a [values.channel] table wins over these)."""


def channel_key(text: str | None) -> str | None:
    """Our channel a file's channel word means; None when it means none of ours."""
    if text is None:
        return "other"
    folded = " ".join(text.casefold().split())
    if folded in CHANNEL_WORDS:
        return CHANNEL_WORDS[folded]
    try:
        return fields.channel(text)
    except InvalidInput:
        return None


class FollowUpRun(HistoryRun):
    """One import of follow-ups."""

    fields = FIELDS

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.seen: set[tuple[str, ...]] = set()
        """The rows of this file already taken: a row repeated in the file is one follow-up."""

    def row(self, row: Row) -> None:
        cells = self.cells(row)
        at = self._at(cells)
        channel = channel_key(cells.get("channel"))
        extra = list(cells.notes)
        if channel is None:
            extra.append(f"{cells.columns['channel']}: {cells.get('channel')}")
            channel = "other"
        notes = self.checked(cells, lambda: fields.long_text("notes", cells.get("notes"))) or ""
        goal = self.checked(cells, lambda: fields.single_line("goal", cells.get("goal"), max_len=500)) or ""
        if not notes and not goal and not extra:
            raise RowRefused(self.column_of(cells, "notes"), InvalidInput(
                "notes", "required: what happened").message())
        met = self.checked(cells, lambda: fields.yes_no("goal_met", cells.get("met") or ""), "met")
        plan = self.checked(cells, lambda: fields.long_text("next_plan", cells.get("next-plan")), "next-plan")
        next_at = self._moment(cells, "next") if cells.get("next") else None
        kind = self.checked(cells, lambda: kind_of(cells.get("type")), "type")
        customer_id = self.customer_id(cells, kind)
        contact_id = self._named(cells, "contact", follow_up_store.contacts_of(self.connection, customer_id), extra)
        deal_id = self._named(cells, "deal", follow_up_store.deals_of(self.connection, customer_id), extra)
        text = "\n".join([notes, *extra] if notes else extra)
        if len(text) > fields.TEXT_MAX:  # the columns kept beside the notes count too, as crm edit counts them
            raise RowRefused(self.column_of(cells, "notes"), InvalidInput(
                "notes", "at most {max} characters (got {count})", max=fields.TEXT_MAX, count=len(text)).message())
        external_id = cells.get("external_id") or cells.get("id")  # another book's follow-up: its id there
        key = ("id", customer_id, external_id) if external_id else ("row", customer_id, str(to_db(at)), text)
        if key in self.seen or store.follow_up_seen(self.connection, customer_id, str(to_db(at)), text, external_id):
            self.skip(row.number, _("already imported: {customer} {when}").format(
                customer=cells.get("customer"), when=self.ctx.clock.to_local(at).strftime("%Y-%m-%d %H:%M")))  # type: ignore[union-attr]
            return
        self.seen.add(key)
        self.result.created += 1
        if self.dry_run:
            return
        self.write()  # the customer this row added, before its follow-up names it
        follow_up_store.insert_follow_up(self.connection, self.outbox, follow_up_store.FollowUpRow(
            customer_id=customer_id, at=at, channel=channel, goal=goal, goal_met=met, notes=text, next_plan=plan,
            next_at=next_at, contact_id=contact_id, deal_id=deal_id, imported_from=self.file_name,
            external_id=external_id), keep_plan=True)

    def _at(self, cells: Cells) -> datetime:
        """When it happened: required, and not in the future (history)."""
        if cells.get("at") is None:
            raise RowRefused(self.column_of(cells, "at"), InvalidInput("at", "required: when it happened").message())
        at = self._moment(cells, "at")
        if at > self.now:
            raise RowRefused(cells.columns["at"], InvalidInput(
                "at", "a time that has passed (history)", cells.get("at")).message())
        return at

    def _moment(self, cells: Cells, name: str) -> datetime:
        """A date and time as given (a day alone at the rep's default time), in UTC."""
        from crmtui.core.dates import DateParseError, parse_when  # deferred: with dateparser, ~0.1 s

        text = str(cells.get(name))
        try:
            when = parse_when(text, self.local_now, self.ctx.settings.default_time).when
        except DateParseError as exc:
            raise RowRefused(cells.columns[name], InvalidInput(name, "{problem}", problem=DateProblem(exc)).message()) \
                from None
        return self.ctx.clock.to_utc(when)

    def _named(self, cells: Cells, name: str, references: list[Any], extra: list[str]) -> str | None:
        """The customer's contact or deal the row names (by its name or title); one the book does not hold is kept
        in the notes."""
        text = cells.get(name)
        if text is None:
            return None
        key = normalize.name_key(text) or text.casefold()
        for reference in references:
            if (normalize.name_key(reference.name) or reference.name.casefold()) == key:
                return str(reference.id)
        extra.append(f"{cells.columns[name]}: {text}")
        return None
