"""`crm import --kind deals`: another CRM's deals with their history.

Each row names its customer (found by its exact name, or added), a title, a stage (another system's stage names
mapped to ours: a built-in table of the usual English and Chinese names, then the mapping file's [values.stage]),
an amount, the expected close date, the day it was opened (`created`) and won or lost (`closed`), the rep who owned
it there (`owner`), its id there (`external_id`), a probability and a lost reason.

Imported deals are history: a Won deal is not asked for a contract nor a Lost one held to today's gates, and each
is marked with the file it came from. Its stage changes carry the real dates, opened at `created` and closed at
`closed`, so what is computed from them (the funnel, days in a stage, the win rate, won value by quarter) is what
happened. The foreign id recognises a row on a re-import: the same file twice creates nothing, a changed row
updates its deal. crmtui's own export is recognised the same way by its `id` column: in the book it came from, the
deal of that id (a deal the rep made here has no foreign id); in another book, the deal an earlier import of it
made, which keeps that id as its foreign id (unless the row has a foreign id of its own).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from crmtui.core import normalize
from crmtui.core.config import Stage
from crmtui.core.errors import InvalidInput
from crmtui.core.formatting import parse_amount
from crmtui.core.i18n import _
from crmtui.services import fields
from crmtui.services.deals import lost_reason_key
from crmtui.services.importing import notes as import_notes
from crmtui.services.importing.history import (
    BATCH,
    Cells,
    HistoryRun,
    RowRefused,
    defaults,
    kind_of,
)
from crmtui.services.importing.readers import Row
from crmtui.store import imported_history as store
from crmtui.store import importing as book_store
from crmtui.store.models import Customer, Deal, DealStageChange
from crmtui.store.raw import to_db

STAGE_WORDS: dict[str, str] = {
    # Salesforce, HubSpot, Dynamics, Pipedrive, Zoho and the like
    "prospecting": "initial", "prospect": "initial", "lead": "initial", "new": "initial", "open": "initial",
    "contact made": "initial", "appointment scheduled": "initial", "engaging": "needs", "qualification": "needs",
    "qualified": "needs", "qualify": "needs", "needs analysis": "needs", "discovery": "needs", "develop": "needs",
    "qualified to buy": "needs", "value proposition": "proposal", "id. decision makers": "proposal",
    "perception analysis": "proposal", "proposal": "proposal", "propose": "proposal", "presentation scheduled": "proposal",
    "proposal/price quote": "quote", "proposal made": "proposal", "quote": "quote", "quotation": "quote",
    "price quote": "quote", "negotiation": "negotiation", "negotiation/review": "negotiation",
    "decision makers bought-in": "negotiation", "contract sent": "negotiation", "close": "negotiation",
    "closed won": "won", "closed-won": "won", "won": "won", "win": "won", "closedwon": "won",
    "closed lost": "lost", "closed-lost": "lost", "lost": "lost", "closedlost": "lost", "loss": "lost",
    # 国内 CRM (纷享销客, 销售易, 悟空, 简道云...) 的阶段
    "初步接触": "initial", "初步沟通": "initial", "初次接触": "initial", "线索": "initial", "验证客户": "initial",
    "潜在": "initial", "需求确认": "needs", "需求分析": "needs", "需求沟通": "needs", "确认需求": "needs",
    "方案": "proposal", "方案报价": "quote", "方案制定": "proposal", "方案演示": "proposal", "解决方案": "proposal",
    "报价": "quote", "商务报价": "quote", "谈判": "negotiation", "商务谈判": "negotiation", "合同谈判": "negotiation",
    "谈判审核": "negotiation", "赢单": "won", "成交": "won", "已成交": "won", "签约": "won", "已签约": "won",
    "赢": "won", "输单": "lost", "丢单": "lost", "失败": "lost", "已输单": "lost", "输": "lost", "无效": "lost",
}
"""Stage names of other systems, folded, and our stage they mean (a [values.stage] table wins over these)."""


FIELDS = frozenset({"customer", "type", "title", "stage", "amount", "close", "created", "closed", "owner",
                    "external_id", "id", "probability", "lost-reason", "competitor", "stage-entered"})


def stage_key(settings: Any, text: str) -> Stage:
    """The stage a file's stage name means: ours by key or name in either language, else the built-in table."""
    try:
        return settings.stage(text)  # type: ignore[no-any-return]
    except InvalidInput:
        mapped = STAGE_WORDS.get(" ".join(text.casefold().split()))
        if mapped is None or mapped not in [s.key for s in settings.stages]:
            raise
        return settings.stage(mapped)  # type: ignore[no-any-return]


class DealRun(HistoryRun):
    """One import of deals."""

    fields = FIELDS

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.deal_defaults = defaults(Deal)
        self.change_defaults = defaults(DealStageChange)
        self.known = store.deal_keys(self.connection)
        """The book's deals by customer and external id (and by customer, title and opening day when a file has no
        ids); a deal this run adds joins only by its external id, so two rows alike in a file stay two deals."""
        self.claimed: set[str] = set()
        """The book's deals a row of this file recognised without an id: each is one row's, never two."""
        self.won_customers: set[str] = set()
        self.open_customers: set[str] = set()
        self.notes_added: dict[str, list[str]] = {}
        """A deal's unmapped columns, by its customer: added to the customer's notes at the end (a deal has none)."""

    def row(self, row: Row) -> None:
        cells = self.cells(row)
        deal = self._deal(cells)
        found = self._recognised(deal)
        if found is not None:
            self._again(row.number, found, deal)
        else:
            self._add(deal)
        if self.batch >= BATCH:
            self.write()

    def _recognised(self, deal: dict[str, Any]) -> store.DealKey | None:
        """The deal of the book the row is: by its id, or else the first deal with its customer, title and opening
        day no earlier row took, preferring one the row leaves unchanged (a re-import then changes nothing)."""
        candidates = self.known.get(deal["key"], [])
        if deal["key"][0] == "id":
            return candidates[0] if candidates else self._own(deal)
        free = [found for found in candidates if found.id not in self.claimed]
        if not free:
            return None
        found = next((f for f in free if self._changes_of(store.deal_values(self.connection, f.id), deal) is None),
                     free[0])
        self.claimed.add(found.id)
        return found

    def _own(self, deal: dict[str, Any]) -> store.DealKey | None:
        """The live deal of the row's customer whose own id the row gives (as `crm export` writes it), or that its
        foreign id is (a book's own export imported into another book, and that book's export brought back).
        Another system's file (no id column) is not looked up: its ids are not ours."""
        if not deal["own_id"]:
            return None
        for ident in dict.fromkeys(i for i in (deal["own_id"], deal["external_id"]) if i):
            stored = store.deal_values(self.connection, ident)
            if stored is not None and stored["deleted_at"] is None and stored["customer_id"] == deal["customer_id"]:
                return store.DealKey(ident, deal["customer_id"], stored["stage"])
        return None

    def _deal(self, cells: Cells) -> dict[str, Any]:
        """The row's deal as checked values, and the key that recognises it on a re-import."""
        settings = self.ctx.settings
        stage = self.checked(cells, lambda: stage_key(settings, cells.get("stage") or settings.stages[0].key),
                             "stage")
        title = self.checked(cells, lambda: fields.single_line("title", cells.get("title"), required=True))
        amount = self.checked(cells, lambda: _amount(cells.get("amount")), "amount")
        close = self.checked(cells, lambda: fields.day("close", cells.get("close"), self.local_now), "close")
        created = self.past_day(cells, "created")
        entered = self.past_day(cells, "stage-entered")
        closed = (self.past_day(cells, "closed") or entered) if stage.key in ("won", "lost") else None
        if created and closed and closed < created:
            raise RowRefused(cells.columns["closed"], InvalidInput(
                "closed", "a day on or after the day it was opened ({day})", cells.get("closed"),
                day=created.isoformat()).message())
        probability = stage.probability
        if cells.get("probability"):
            probability = self.checked(cells, lambda: fields.percent("probability", cells.get("probability")))
        reason = cells.get("lost-reason") if stage.key == "lost" else None
        if reason:
            reason = lost_reason_key(reason)[:500]
        elif stage.key == "lost":
            reason = "other"
        own_id = cells.get("id")
        external_id = cells.get("external_id") or own_id  # another book's deal: its id there is the foreign id
        kind = self.checked(cells, lambda: kind_of(cells.get("type")), "type")
        customer_id = self.customer_id(cells, kind)
        key = ("id", customer_id, external_id) if external_id else ("row", customer_id, normalize.name_key(title) or title,
                                                          to_db(self.moment_of(created)) if created else "")
        owner, competitor = cells.get("owner"), cells.get("competitor")
        return {"key": key, "customer_id": customer_id, "title": title, "stage": stage, "amount_cents": amount,
                "expected_close": close, "created": created, "closed": closed, "entered": entered,
                "probability": probability,
                "lost_reason": reason, "external_id": external_id, "own_id": own_id,
                "owner_name": owner[:200] if owner else None, "competitor": competitor[:200] if competitor else None,
                "notes": cells.notes}

    # ------------------------------------------------------------ a new deal

    def _add(self, deal: dict[str, Any]) -> None:
        """Stages the deal and its stage changes: opened at `created` in the first stage (or its own, when open),
        then closed at `closed`."""
        stage: Stage = deal["stage"]
        note = f"{deal['title']}: " + "; ".join(deal["notes"]) if deal["notes"] else None
        if note is not None:
            self._check_note(deal["customer_id"], note)
        first = self.ctx.settings.stages[0].key
        opened = self.moment_of(deal["created"]) if deal["created"] else self.now
        closing = stage.key in ("won", "lost")
        closed = self.moment_of(deal["closed"] or deal["expected_close"] or deal["created"] or self.local_now.date()) \
            if closing else None
        if closed is not None and closed < opened:
            closed = opened
        if closed is not None and closed > self.now:
            closed = self.now
        values = {**self.deal_defaults, "customer_id": deal["customer_id"], "title": deal["title"],
                  "amount_cents": deal["amount_cents"], "expected_close": deal["expected_close"], "stage": stage.key,
                  "probability": deal["probability"], "competitor": deal["competitor"],
                  "lost_reason": deal["lost_reason"], "stage_entered_at": closed or opened,
                  "external_id": deal["external_id"], "owner_name": deal["owner_name"],
                  "imported_from": self.file_name, "created_at": self.now, "updated_at": self.now}
        moved = self._moved(deal, opened) if not closing and stage.key != first else None
        if moved is not None:
            values["stage_entered_at"] = moved
        deal_id = self.stage(Deal, values)
        if deal["key"][0] == "id":  # a row without an id never matches a deal of its own file
            self.known[deal["key"]] = [store.DealKey(deal_id, deal["customer_id"], stage.key)]
        self.stage(DealStageChange, self._change(deal_id, None, first if closing or moved else stage.key, opened))
        if moved is not None:
            self.stage(DealStageChange, self._change(deal_id, first, stage.key, moved))
        if closing:
            self.stage(DealStageChange, self._change(deal_id, first, stage.key, closed))  # type: ignore[arg-type]
        (self.won_customers if stage.key == "won" else self.open_customers).add(deal["customer_id"])
        if note is not None:
            self.notes_added.setdefault(deal["customer_id"], []).append(note)
        self.result.created += 1

    def _moved(self, deal: dict[str, Any], opened: datetime) -> datetime | None:
        """When an open deal entered its stage, when the row says so and it is after the day it was opened: it is
        then opened in the first stage and moved on that day, so days in the stage count from then."""
        if deal["entered"] is None:
            return None
        entered = min(self.moment_of(deal["entered"]), self.now)
        return entered if entered > opened else None

    def _check_note(self, customer_id: str, text: str) -> None:
        """Refuses a row whose unmapped columns would make its customer's notes longer than `crm edit --notes`
        takes."""
        pending = self.notes_added.get(customer_id, [])
        before = book_store.notes_length(self.connection, customer_id) + sum(len(t) + 1 for t in pending)
        try:
            import_notes.check_length(text, before)
        except InvalidInput as exc:
            raise RowRefused(None, exc.message()) from None

    def _change(self, deal_id: str, before: str | None, after: str, at: datetime) -> dict[str, Any]:
        return {**self.change_defaults, "deal_id": deal_id, "from_stage": before, "to_stage": after, "at": at,
                "created_at": self.now, "updated_at": self.now}

    # ------------------------------------------------------------ a deal already in the book

    def _again(self, number: int, found: store.DealKey, deal: dict[str, Any]) -> None:
        """A row of a deal the book holds: skipped when nothing changed, else its deal updated (a new stage
        with a stage change dated when it closed)."""
        self.write()  # a deal of this same file is read back like any (a dry run's is not there: a repeat)
        changes = self._changes_of(store.deal_values(self.connection, found.id), deal)
        if changes is None:
            self.skip(number, _('already imported: "{title}"').format(title=deal["title"]))
            return
        self.result.merged += 1
        if self.dry_run:
            return
        existing = self.session.get(Deal, found.id)
        stage: Stage = deal["stage"]
        if "stage" in changes:
            at = self.moment_of(deal["closed"]) if deal["closed"] else self.now
            self.session.add(DealStageChange(deal_id=existing.id, from_stage=existing.stage, to_stage=stage.key,
                                             at=min(at, self.now), created_at=self.now, updated_at=self.now))
            changes["stage_entered_at"] = min(at, self.now)
            (self.won_customers if stage.key == "won" else self.open_customers).add(existing.customer_id)
        for name, value in changes.items():
            setattr(existing, name, value)
        existing.updated_at = self.now
        self.session.flush()

    def _changes_of(self, stored: dict[str, Any] | None, deal: dict[str, Any]) -> dict[str, Any] | None:
        """What the row changes on the stored deal (its fields as the row gives them), or None for nothing."""
        if stored is None:
            return None
        wanted = {"title": deal["title"], "stage": deal["stage"].key, "amount_cents": deal["amount_cents"],
                  "expected_close": deal["expected_close"], "probability": deal["probability"],
                  "lost_reason": deal["lost_reason"], "owner_name": deal["owner_name"],
                  "competitor": deal["competitor"]}
        changes = {name: value for name, value in wanted.items()
                   if value is not None and _stored(stored.get(name)) != _stored(value)}
        if "stage" not in changes and "probability" in changes and deal["probability"] == deal["stage"].probability:
            del changes["probability"]  # the row left it to the stage, which has not moved
        return changes or None

    # ------------------------------------------------------------ the end

    def finish(self) -> None:
        """Writes what is staged; a customer with a won deal is a customer, one with an open deal a prospect."""
        self.write()
        if self.dry_run:
            return
        for customer_id in sorted(self.won_customers | self.open_customers | set(self.notes_added)):
            customer = self.session.get(Customer, customer_id)
            if customer is None:
                continue
            status = "customer" if customer_id in self.won_customers else "prospect"
            if customer_id in self.won_customers | self.open_customers and (
                    customer.status == "lead" or (status == "customer" and customer.status == "prospect")):
                customer.status = status
                customer.updated_at = self.now
            notes = import_notes.appended(customer.notes, self.notes_added.get(customer_id, []))
            if notes is not None:
                customer.notes = notes
                customer.updated_at = self.now
        self.session.flush()


def _amount(text: str | None) -> int | None:
    """An amount in cents; an empty or zero amount (a lost deal's close value) is none."""
    if text is None or not text.strip() or text.strip().strip("0.,") == "":
        return None
    return parse_amount(text)


def _stored(value: object) -> object:
    """A value compared as stored: days as ISO text."""
    if isinstance(value, date):
        return value.isoformat()
    return value
