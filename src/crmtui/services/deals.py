"""Deals: add, edit, delete, find, and moves between stages with their gates (完成条件)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from crmtui.core import i18n, labels
from crmtui.core.config import Settings, Stage
from crmtui.core.dates import format_when
from crmtui.core.errors import Ambiguous, CrmError, InvalidInput, Match, MissingFields, NotAllowed, NotFound
from crmtui.core.formatting import format_amount, parse_amount
from crmtui.core.i18n import N_, _, ngettext, sentences
from crmtui.services import fields
from crmtui.services.context import Context
from crmtui.services.revisits import RevisitLine, write_plan
from crmtui.services.stage_rules import check_target, skipped_stages, skips_quote
from crmtui.store import customers as customer_store
from crmtui.store import deals as deal_store
from crmtui.store import revisits as revisit_store
from crmtui.store.models import Contract, Customer, Deal, DealStageChange, Payment, Synced
from crmtui.store.session import StoreSession
from crmtui.store.tombstones import tombstone

if TYPE_CHECKING:
    # Only an annotation: services.views builds its views on this module.
    from crmtui.services.views import DealView

LOST_REASONS = (N_("price"), N_("competitor"), N_("no budget"), N_("no decision"), N_("timing"), N_("no response"),
                N_("other"))
"""The usual reasons a deal is lost: the app offers them as a list in the rep's language (with free text for
"other"); any text is accepted as the reason. One of these, typed in English or in the rep's language, is stored
as its English key, so a team's reasons can be counted whatever language each rep works in."""

LOST_WORDS: dict[str, str] = {
    "价格": "price", "价格太高": "price", "价格高": "price", "too expensive": "price", "竞争对手": "competitor",
    "竞品": "competitor", "lost to competitor": "competitor", "没有预算": "no budget", "预算不足": "no budget",
    "无预算": "no budget", "budget": "no budget", "未决策": "no decision", "无决策": "no decision",
    "没有决策": "no decision", "时机": "timing", "时间不合适": "timing", "无响应": "no response",
    "联系不上": "no response", "失联": "no response", "其他": "other", "其它": "other",
    "选了竞品": "competitor", "输给竞品": "competitor", "丢给竞品": "competitor",
}
"""Lost reasons as reps and other systems also write them, each stored as the usual reason it means (any other
text is kept as written)."""


def lost_reason_key(reason: str) -> str:
    """The stored form of a lost reason: a usual reason's key ("no budget" for 没有预算 or 预算不足), else the text as
    typed. The lost report groups stored reasons by it too, so a reason stored before a synonym was known counts
    with its usual reason."""
    folded = reason.strip().casefold()
    for key in LOST_REASONS:
        if folded in (key, _(key).casefold()):
            return key
    return LOST_WORDS.get(folded, reason)


def lost_reason_text(stored: str) -> str:
    """A stored lost reason as the rep reads it: a usual reason in the rep's language, other text as written."""
    return _(stored) if stored in LOST_REASONS else stored

CONTRACT_DAYS = 365
"""A contract without an end date runs a year: the renewal reminder needs an end."""

PAYMENT_TERM_DAYS = 30
"""A contract won without a schedule is due whole this many days after signing, so it is always reminded."""

FINAL_INSTALMENT_DAYS = 30
"""A schedule short of the amount is completed by a final instalment this many days after the last one given."""


class NeedsConfirmation(NotAllowed):
    """The move is possible but changes more than the rep asked for: `kind` says which flag of move_stage confirms it.

    The message is the question to put to the rep, in parts so that each is one catalog entry.
    """

    def __init__(self, kind: str, parts: list[tuple[str, dict[str, object]]]) -> None:
        self.kind = kind
        self.parts = parts
        super().__init__(" ".join(template.format(**values) for template, values in parts))

    def _localized(self) -> str:
        return sentences(*(_(template).format(**values) for template, values in self.parts))


def shown_day(day: date, today: date) -> str:
    """A day as the app and `crm show` show it, in the chosen language: "Thu 31 Dec" / "12月31日 周四", with the
    year only when it is not this year's ("Sat 30 Jan 2027")."""
    return format_when(day, False, i18n.language, today)


def _live_deal(session: StoreSession, deal_id: str) -> Deal:
    deal = deal_store.get_deal(session, deal_id)
    if deal is None or deal.deleted_at is not None:
        raise NotFound("deal", deal_id)
    return deal


def add_deal(
    ctx: Context,
    customer_id: str,
    title: str,
    *,
    amount: str | int | None = None,
    close: str | date | None = None,
    stage: str | None = None,
    competitor: str | None = None,
) -> Deal:
    """Opens a deal in the first stage (or one given; Won/Lost need `crm stage` and their gates)."""
    deal, change = new_deal(ctx, customer_id, title, amount=amount, close=close, stage=stage, competitor=competitor)
    with ctx.db.write(deal.created_at) as session:
        customer = customer_store.get_customer(session, customer_id)
        if customer is None or customer.deleted_at is not None:
            raise NotFound("customer", customer_id)
        # The deal's id is made with the object: it and its first stage change are written in one flush.
        session.add(deal)
        session.add(change)
        deal_opened(customer, deal)
    return deal


def new_deal(
    ctx: Context,
    customer_id: str,
    title: str,
    *,
    amount: str | int | None = None,
    close: str | date | None = None,
    stage: str | None = None,
    competitor: str | None = None,
) -> tuple[Deal, DealStageChange]:
    """A deal as add_deal writes it, with its first stage change, not yet written: every field checked."""
    now = ctx.clock.utcnow()
    chosen = ctx.settings.stage(stage) if stage else ctx.settings.stages[0]
    if chosen.key in ("won", "lost"):
        raise InvalidInput("stage", "an open stage; move the deal to Won or Lost with `crm stage` and its gate", stage)
    if chosen.key == "quote" and parse_amount(amount) is None:
        raise MissingFields(["amount"], "a deal in Quote")
    deal = Deal(
        customer_id=customer_id,
        title=fields.single_line("title", title, required=True),
        amount_cents=parse_amount(amount),
        expected_close=fields.day("close", close, ctx.clock.now()),
        stage=chosen.key,
        probability=chosen.probability,
        competitor=fields.single_line("competitor", competitor),
        stage_entered_at=now,
        created_at=now,
        updated_at=now,
    )
    if chosen.key == "quote":
        deal.quoted_cents = deal.amount_cents
    return deal, DealStageChange(deal_id=deal.id, to_stage=chosen.key, at=now, created_at=now, updated_at=now)


def deal_opened(customer: Customer, deal: Deal) -> None:
    """What a new deal changes on its customer: a lead with a deal is a prospect."""
    if customer.status == "lead":
        customer.status = "prospect"
        customer.updated_at = deal.created_at


def edit_deal(ctx: Context, deal_id: str, changes: dict[str, object]) -> Deal:
    """Changes title, amount, close date, competitor or probability (until the next stage move sets the stage's);
    the stage changes only through move_stage."""
    now = ctx.clock.utcnow()
    cleaned: dict[str, object] = {}
    for name, value in changes.items():
        if name == "title":
            cleaned["title"] = fields.single_line("title", value, required=True)  # type: ignore[arg-type]
        elif name == "amount":
            cleaned["amount_cents"] = parse_amount(value)  # type: ignore[arg-type]
        elif name == "close":
            cleaned["expected_close"] = fields.day("close", value, ctx.clock.now())  # type: ignore[arg-type]
        elif name == "competitor":
            cleaned["competitor"] = fields.single_line("competitor", value)  # type: ignore[arg-type]
        elif name == "probability":
            cleaned["probability"] = fields.percent("probability", value)  # type: ignore[arg-type]
        elif name == "stage":
            raise InvalidInput("stage", "a change through `crm stage DEAL STAGE` (stages have gates)")
        else:
            raise InvalidInput(name, "a deal field: title, amount, close, competitor, probability")
    with ctx.db.write(now) as session:
        deal = _live_deal(session, deal_id)
        if deal.stage == "won" and "amount_cents" in cleaned and cleaned["amount_cents"] != deal.amount_cents:
            raise NotAllowed("a won deal's amount is its contract's; it cannot be changed here")
        for name, value in cleaned.items():
            setattr(deal, name, value)
        deal.updated_at = now
    return deal


@dataclass(frozen=True)
class DealFields:
    """A deal's editable fields as they were read, for the app's edit dialog (which never holds a row)."""

    id: str
    customer_id: str
    title: str
    stage: str
    amount_cents: int | None
    expected_close: date | None
    competitor: str | None
    probability: int

    @classmethod
    def of(cls, deal: Deal) -> DealFields:
        return cls(id=deal.id, customer_id=deal.customer_id, title=deal.title, stage=deal.stage,
                   amount_cents=deal.amount_cents, expected_close=deal.expected_close, competitor=deal.competitor,
                   probability=deal.probability)


def deal_fields(ctx: Context, deal_id: str) -> DealFields:
    """The deal's editable fields (NotFound once it is deleted)."""
    with ctx.db.read() as session:
        return DealFields.of(_live_deal(session, deal_id))


def edit_deal_fields(ctx: Context, deal_id: str, changes: dict[str, object]) -> DealFields:
    """edit_deal, returning the deal's fields as saved."""
    return DealFields.of(edit_deal(ctx, deal_id, changes))


def delete_deal(ctx: Context, deal_id: str) -> Deal:
    """Soft-deletes a deal with its contract and instalments (tombstones, so the deletes sync); its follow-ups stay."""
    now = ctx.clock.utcnow()
    with ctx.db.write(now) as session:
        deal = _live_deal(session, deal_id)
        voided = _void_contracts(session, deal, now)
        tombstone(now, deal)
        if voided:
            _customer_after_void(session, deal, now)
    return deal


def _void_contracts(session: StoreSession, deal: Deal, now: datetime) -> list[Contract]:
    """Tombstones the deal's contracts and all their instalments, paid ones too: they stay readable as history.
    The revisits its Won planned and not yet done are dropped with them (the done ones stay, with their scores)."""
    contracts = deal_store.contracts_of_deal(session, deal.id)
    for contract in contracts:
        tombstone(now, *deal_store.payments_of(session, contract.id), contract)
    tombstone(now, *revisit_store.open_revisits_of_deal(session, deal.id))
    return contracts


def _customer_after_void(session: StoreSession, deal: Deal, now: datetime) -> None:
    """After `deal` left Won (its contract voided): the customer is a prospect again only if a Won made it a
    customer and nothing holds it there any more.

    A status the rep set (by hand, before or after the Won), or one a merge brought, is never overwritten: the
    status falls back only when it was last written by the Won of one of the customer's deals (the moment one of
    its contracts, voided ones too, was created), no other deal is Won and no live contract is left."""
    customer = customer_store.get_customer(session, deal.customer_id)
    if customer is None or customer.status != "customer":
        return
    session.flush()
    if deal_store.contracts_of(session, customer.id):
        return
    if any(other.stage == "won" and other.id != deal.id for other in deal_store.deals_of(session, customer.id)):
        return
    # One transaction's writes share the milliseconds of their stamps: the status was last written by a Won when
    # its stamp has those of a contract's creation.
    written = customer_store.written_millis(session, "customer", customer.id, "status")
    won_at = {customer_store.written_millis(session, "contract", contract.id, "created_at")
              for contract in deal_store.contracts_of(session, customer.id, include_deleted=True)}
    if written is not None and written in won_at:
        customer.status = "prospect"
        customer.updated_at = now


def list_deals(ctx: Context, stages: tuple[str, ...] | None = None) -> list[tuple[Deal, Customer]]:
    """Live deals with their customers."""
    with ctx.db.read() as session:
        return deal_store.list_deals(session, stages)


def days_in_stage(ctx: Context, deal: Deal | DealView) -> int:
    """Whole days since the deal entered its stage, in the rep's calendar."""
    entered = ctx.clock.to_local(deal.stage_entered_at)
    return (ctx.clock.today() - entered.date()).days if entered else 0


@dataclass
class PaymentPlan:
    """One instalment asked for when a deal is won."""

    amount: str
    due: str | date


def parse_payment(text: str) -> PaymentPlan:
    """"5000@2026-12-31" or "5000@下月15号": an amount and a due date."""
    amount, sep, due = text.partition("@")
    if not sep or not amount.strip() or not due.strip():
        raise InvalidInput("payment", 'AMOUNT@DATE, e.g. "5000@2026-12-31"', text)
    return PaymentPlan(amount.strip(), due.strip())


_ITEM_SEPARATOR = re.compile(r"[;；，、\n]|,\s+")
"""Between instalments of a one-line schedule; a comma with no space after it may be an amount's thousands."""


def parse_schedule(text: str | None) -> list[PaymentPlan]:
    """"60000@2026-12-31, 6万@2027-03-31" (or separated by ; ，): instalments in one line.

    "60,000@2026-12-31,60,000@2027-03-31" also reads as two: the first comma after a due date ends it.
    """
    plans: list[PaymentPlan] = []
    for chunk in _ITEM_SEPARATOR.split(text or ""):
        if not chunk.strip():
            continue
        parts = chunk.split("@")
        amount = parts[0]
        for middle in parts[1:-1]:
            due, comma, following = middle.partition(",")
            if not comma:
                raise InvalidInput("payment", 'AMOUNT@DATE, e.g. "5000@2026-12-31"', chunk.strip())
            plans.append(parse_payment(f"{amount}@{due}"))
            amount = following
        plans.append(parse_payment(f"{amount}@{parts[-1]}" if len(parts) > 1 else chunk))
    return plans


@dataclass
class Schedule:
    """The instalments a won contract will have: those given, and the final one that completes them if any."""

    amount_cents: int
    given: list[tuple[int, date]]
    final: tuple[int, date] | None
    """Completes a schedule short of the amount, or is the whole amount when none was given."""

    @property
    def planned_cents(self) -> int:
        return sum(cents for cents, _due in self.given)

    @property
    def instalments(self) -> list[tuple[int, date]]:
        return self.given + ([self.final] if self.final else [])


def plan_schedule(amount_cents: int, signed_on: date, end_on: date, plans: list[PaymentPlan], local_now: datetime) -> Schedule:
    """Checks the instalments against the contract: each above 0 and due on or after signing, together at most the amount.

    Short of the amount, a final instalment of the remainder is proposed (due FINAL_INSTALMENT_DAYS after the
    last one given, but not after the contract's end when that is later than the last one); with none given, the
    whole amount is due PAYMENT_TERM_DAYS after signing.
    """
    given: list[tuple[int, date]] = []
    for plan in plans:
        cents = parse_amount(plan.amount, "payment_amount")
        due = fields.day("payment_due", plan.due, local_now)
        if not cents or due is None:
            raise InvalidInput("payment", 'AMOUNT@DATE with an amount above 0, e.g. "5000@2026-12-31"', plan.amount)
        if due < signed_on:
            raise InvalidInput("payment_due", "a date on or after the signed date {signed}", str(plan.due),
                               signed=shown_day(signed_on, local_now.date()))
        given.append((cents, due))
    given.sort(key=lambda item: item[1])
    planned = sum(cents for cents, _due in given)
    if planned > amount_cents:
        raise InvalidInput("payment", "instalments adding up to at most the contract amount {amount}; these add up to {planned}",
                           amount=format_amount(amount_cents), planned=format_amount(planned))
    final: tuple[int, date] | None = None
    if amount_cents > 0 and not given:
        final = (amount_cents, signed_on + timedelta(days=PAYMENT_TERM_DAYS))
    elif planned < amount_cents:
        last = given[-1][1]
        due = last + timedelta(days=FINAL_INSTALMENT_DAYS)
        if last < end_on < due:
            due = end_on
        final = (amount_cents - planned, due)
    return Schedule(amount_cents, given, final)


def move_stage(
    ctx: Context,
    deal_id: str,
    stage: str,
    *,
    amount: str | int | None = None,
    contract_no: str | None = None,
    signed: str | date | None = None,
    end: str | date | None = None,
    payments: list[PaymentPlan] | None = None,
    reason: str | None = None,
    quoted: str | int | None = None,
    complete_schedule: bool = False,
    reopen: bool = False,
    revisits: list[RevisitLine] | None = None,
) -> Deal:
    """Moves a deal, enforcing the gates: Quote needs the quoted amount; Won needs contract number,
    amount and signed date (and creates the contract and payments, and the revisits of `revisits`, days after
    signing: services/revisits.py; none when not given); Lost needs a reason. A move forward past
    stages needs their gates too (`quoted`: the quoted amount of a Quote it skips), and is refused when the
    settings say deals move one stage at a time (skip_stages = false).
    Moving forward schedules the customer's next follow-up when none is pending.

    Two moves need the rep's word, raised as NeedsConfirmation until its flag is given: instalments short of the
    amount (`complete_schedule` adds the final one) and leaving Won (`reopen` voids the contract)."""
    target = ctx.settings.stage(stage)
    if revisits and target.key != "won":
        raise InvalidInput("revisit_plan", "a plan only with a move to Won")
    move = StageMove(target, parse_amount(amount), contract_no, signed, end, payments or [], reason, complete_schedule,
                     parse_amount(quoted, "quoted"))
    now = ctx.clock.utcnow()
    with ctx.db.write(now) as session:
        deal = _live_deal(session, deal_id)
        check_move(deal, move, stage, ctx.settings)
        leaving_won = deal.stage == "won"
        if leaving_won and not reopen:
            raise _reopen_question(session, deal, target)
        if leaving_won:
            _void_contracts(session, deal, now)
            _customer_after_void(session, deal, now)
        customer = customer_store.get_customer(session, deal.customer_id)
        assert customer is not None
        records = apply_move(ctx, deal, customer, move,
                             lambda number: deal_store.find_contract_number(session, number) is not None)
        session.add_all(records)
        contract = next((record for record in records if isinstance(record, Contract)), None)
        if revisits and contract is not None:
            write_plan(ctx, deal.customer_id, deal.id, revisits, contract.signed_on, now)
    return deal


@dataclass
class StageMove:
    """A move asked for: the stage and what its gate needs (amount in cents, contract, reason)."""

    target: Stage
    amount_cents: int | None = None
    contract_no: str | None = None
    signed: str | date | None = None
    end: str | date | None = None
    payments: list[PaymentPlan] = field(default_factory=list)
    reason: str | None = None
    complete_schedule: bool = False
    quoted_cents: int | None = None
    """The quoted amount of a Quote stage the move skips."""


def check_move(deal: Deal, move: StageMove, asked: str, settings: Settings) -> None:
    """Refuses a move check_target refuses, and a move whose gates are not met (every missing field named): the
    stage's own, and a skipped Quote's quoted amount (the deal's amount stands for it when it has one)."""
    target = move.target
    quote = skips_quote(check_target(settings, deal, target, asked))
    if move.quoted_cents is not None and quote is None:
        raise InvalidInput("quoted", "only with a move past Quote (a move to Quote takes the amount)")
    missing: list[str] = []
    known = (move.quoted_cents, deal.quoted_cents, move.amount_cents, deal.amount_cents)
    if quote is not None and all(cents is None for cents in known):
        missing.append("quoted")
    if target.key == "quote" and move.amount_cents is None and deal.quoted_cents is None:
        missing.append("quoted_amount")
    if target.key == "won":
        if not (move.contract_no and move.contract_no.strip()):
            missing.append("contract_no")
        if move.amount_cents is None and deal.amount_cents is None:
            missing.append("amount")
        if move.signed is None or (isinstance(move.signed, str) and not move.signed.strip()):
            missing.append("signed_on")
    if target.key == "lost" and not (move.reason and move.reason.strip()):
        missing.append("lost_reason")
    if quote is not None and "quoted" in missing:
        raise MissingFields(missing, "moving to {stage} past {skipped}", stage=labels.Shown(labels.stage_name, target),
                            skipped=labels.Shown(labels.stage_name, quote))
    if missing:
        raise MissingFields(missing, "moving to {stage}", stage=labels.Shown(labels.stage_name, target))


def apply_move(ctx: Context, deal: Deal, customer: Customer, move: StageMove,
               number_taken: Callable[[str], bool]) -> list[Synced]:
    """Moves a deal whose move passed check_move (and whose contract, leaving Won, is voided) and its customer;
    returns the new records to write: the stage change, and a won deal's contract and instalments."""
    target, amount_cents = move.target, move.amount_cents
    now, local_now = ctx.clock.utcnow(), ctx.clock.now()
    records: list[Synced] = []
    previous = deal.stage
    if skips_quote(skipped_stages(ctx.settings, previous, target.key)):
        # Passing Quote records its quoted amount, as a stop there would (the deal's amount stands for it).
        if move.quoted_cents is not None or deal.quoted_cents is None:
            deal.quoted_cents = move.quoted_cents or amount_cents or deal.amount_cents
        if deal.amount_cents is None:
            deal.amount_cents = deal.quoted_cents
    if target.key == "quote":
        if amount_cents is not None:
            deal.quoted_cents = amount_cents
            deal.amount_cents = amount_cents
    elif target.key == "won":
        if amount_cents is not None:
            deal.amount_cents = amount_cents
        records += _new_contract(deal, move, number_taken, now, local_now)
    elif target.key == "lost":
        deal.lost_reason = lost_reason_key(fields.single_line("lost_reason", move.reason, required=True, max_len=500))
    elif amount_cents is not None:
        deal.amount_cents = amount_cents
    if previous == "lost" and target.key != "lost":
        deal.lost_reason = None  # reopened: the old reason no longer describes it
    deal.stage = target.key
    deal.probability = target.probability
    deal.stage_entered_at = now
    deal.updated_at = now
    records.insert(0, DealStageChange(deal_id=deal.id, from_stage=previous, to_stage=target.key, at=now,
                                      created_at=now, updated_at=now))
    # Reopening a won deal puts work back on the rep, like moving forward does.
    forward = target.key != "lost" and (
        previous in ("lost", "won") or ctx.settings.stage_index(target.key) > ctx.settings.stage_index(previous)
    )
    if target.key == "won":
        customer.status = "customer"
    elif customer.status == "lead":
        customer.status = "prospect"
    if forward and target.key != "won" and customer.next_follow_up_at is None:
        day = local_now.date() + timedelta(days=ctx.settings.stage_follow_up_days)
        customer.next_follow_up_at = ctx.clock.to_utc(datetime.combine(day, ctx.settings.default_time, ctx.clock.zone))
    customer.updated_at = now
    return records


def _reopen_question(session: StoreSession, deal: Deal, target: Stage) -> NeedsConfirmation:
    """What leaving Won does to the deal's contract, as the question to confirm."""
    stage = labels.Shown(labels.stage_name, target)
    parts: list[tuple[str, dict[str, object]]] = []
    for contract in deal_store.contracts_of_deal(session, deal.id):
        instalments = deal_store.payments_of(session, contract.id)
        paid = sum(p.amount_cents for p in instalments if p.paid_on)
        template = (N_("Moving {title} from Won to {stage} voids its contract {number} ({amount}) and its instalment; "
                       "they stay in the history.") if len(instalments) == 1 else
                    N_("Moving {title} from Won to {stage} voids its contract {number} ({amount}) and its {count} "
                       "instalments; they stay in the history."))
        parts.append((template, {"title": deal.title, "stage": stage, "number": contract.number,
                                 "amount": format_amount(contract.amount_cents), "count": len(instalments)}))
        if paid:
            parts.append((N_("{paid} of it is marked paid: those payments are voided with it."),
                          {"paid": format_amount(paid)}))
    if not parts:
        parts.append((N_("Moving {title} from Won to {stage} reopens it."), {"title": deal.title, "stage": stage}))
    parts.append((N_("Reopen it?"), {}))
    return NeedsConfirmation("reopen", parts)


def _new_contract(deal: Deal, move: StageMove, number_taken: Callable[[str], bool], now: datetime,
                  local_now: datetime) -> list[Synced]:
    """The contract of a deal being won and its instalments, every field checked."""
    number_clean = fields.single_line("contract_no", move.contract_no or "", required=True, max_len=80)
    assert number_clean is not None
    if number_taken(number_clean):
        raise InvalidInput("contract_no", "a number not used by another contract", move.contract_no)
    signed_on = fields.day("signed_on", move.signed, local_now, past=True)
    assert signed_on is not None
    if signed_on > local_now.date():
        raise InvalidInput("signed_on", "a date that is not in the future", str(move.signed))
    end_on = fields.day("end_on", move.end, local_now) or signed_on + timedelta(days=CONTRACT_DAYS)
    if end_on <= signed_on:
        raise InvalidInput("end_on", "a date after the signed date", str(move.end))
    amount_cents = deal.amount_cents or 0
    schedule = plan_schedule(amount_cents, signed_on, end_on, move.payments, local_now)
    if schedule.given and schedule.final and not move.complete_schedule:
        cents, due = schedule.final
        raise NeedsConfirmation("complete_schedule", [(
            N_("The instalments add up to {planned} of {amount}: add a final instalment of {remainder} due {due}?"),
            {"planned": format_amount(schedule.planned_cents), "amount": format_amount(amount_cents),
             "remainder": format_amount(cents), "due": shown_day(due, local_now.date())})])
    contract = Contract(
        deal_id=deal.id,
        customer_id=deal.customer_id,
        number=number_clean,
        amount_cents=amount_cents,
        signed_on=signed_on,
        end_on=end_on,
        created_at=now,
        updated_at=now,
    )
    return [contract, *(Payment(contract_id=contract.id, amount_cents=cents, due_on=due, created_at=now, updated_at=now)
                        for cents, due in schedule.instalments)]


def mark_paid(ctx: Context, customer_id: str, *, contract_no: str | None = None, paid_on: str | date | None = None) -> Payment:
    """Marks the customer's earliest unpaid instalment (of one contract, if named) as paid (回款)."""
    now = ctx.clock.utcnow()
    local_now = ctx.clock.now()
    day = fields.day("paid_on", paid_on, local_now, past=True) or local_now.date()
    if day > local_now.date():
        raise InvalidInput("paid_on", "a date that is not in the future", str(paid_on))
    with ctx.db.write(now) as session:
        unpaid = deal_store.unpaid_payments(session, customer_id, contract_no)
        if not unpaid:
            customer = customer_store.get_customer(session, customer_id)
            raise NotFound("unpaid instalment", contract_no or (customer.name if customer else customer_id))
        contracts = {c.id: c for c in deal_store.contracts_of(session, customer_id)}
        owing = list(dict.fromkeys(p.contract_id for p in unpaid))
        if len(owing) > 1:
            # Which contract was paid is the rep's to say: the earliest due of any would be a guess.
            customer = customer_store.get_customer(session, customer_id)
            raise Ambiguous("contract", customer.name if customer else customer_id, [
                Match(cid, f"{contracts[cid].number}  {format_amount(contracts[cid].amount_cents)}") for cid in owing])
        payment = unpaid[0]
        signed = contracts[payment.contract_id].signed_on
        if day < signed:
            raise InvalidInput("paid_on", "a date on or after the contract was signed ({signed})", str(paid_on or day),
                               signed=shown_day(signed, local_now.date()))
        payment.paid_on = day
        payment.updated_at = now
    return payment


@dataclass
class VoidedContract:
    """A contract taken back by reopening or removing its deal, as the customer's history shows it."""

    at: datetime
    number: str
    amount_cents: int
    paid_cents: int
    deal_title: str
    to_stage: str | None
    """The stage the deal was moved to from Won; None when the deal was removed (or the reason is unknown)."""
    deal_removed: bool

    def describe(self, settings: Settings) -> str:
        """One line in the chosen language."""
        amount = format_amount(self.amount_cents)
        if self.to_stage:
            text = _("contract {number} ({amount}) voided: {title} moved from Won to {stage}").format(
                number=self.number, amount=amount, title=self.deal_title, stage=labels.stage(settings, self.to_stage))
        elif self.deal_removed:
            text = _("contract {number} ({amount}) voided: deal {title} removed").format(
                number=self.number, amount=amount, title=self.deal_title)
        else:
            text = _("contract {number} ({amount}) voided").format(number=self.number, amount=amount)
        if self.paid_cents:
            text += " " + _("({paid} had been paid)").format(paid=format_amount(self.paid_cents))
        return text


def voided_contracts(ctx: Context, customer_id: str) -> list[VoidedContract]:
    """The customer's voided contracts, most recent first, each with why (from the deal's stage history)."""
    history: list[VoidedContract] = []
    with ctx.db.read() as session:
        for contract in deal_store.voided_contracts_of(session, customer_id):
            assert contract.deleted_at is not None
            deal = deal_store.get_deal(session, contract.deal_id)
            exit_change = next((change for change in deal_store.stage_history(session, contract.deal_id)
                                if change.from_stage == "won" and change.at == contract.deleted_at), None)
            paid = sum(p.amount_cents for p in deal_store.all_payments_of(session, contract.id) if p.paid_on)
            history.append(VoidedContract(
                at=contract.deleted_at, number=contract.number, amount_cents=contract.amount_cents, paid_cents=paid,
                deal_title=deal.title if deal else "", to_stage=exit_change.to_stage if exit_change else None,
                deal_removed=bool(deal and deal.deleted_at == contract.deleted_at)))
    return history


def payments_of_deal(ctx: Context, deal_id: str) -> list[Payment]:
    """The instalments of the deal's live contract, by due date."""
    with ctx.db.read() as session:
        return [p for contract in deal_store.contracts_of_deal(session, deal_id) for p in deal_store.payments_of(session, contract.id)]


def reopen_question(ctx: Context, deal_id: str, stage: str) -> NeedsConfirmation | None:
    """The question moving this deal to `stage` needs first when it leaves Won, else None."""
    target = ctx.settings.stage(stage)
    with ctx.db.read() as session:
        deal = _live_deal(session, deal_id)
        if deal.stage != "won" or target.key == "won":
            return None
        return _reopen_question(session, deal, target)


def schedule_preview(ctx: Context, deal_id: str, amount: str, signed: str, end: str, payments: str) -> str:
    """What the Won form would schedule, as it stands while being typed (signed today when not given yet)."""
    local_now = ctx.clock.now()
    try:
        with ctx.db.read() as session:
            deal_amount = _live_deal(session, deal_id).amount_cents
        amount_cents = parse_amount(amount) or deal_amount
        if not amount_cents:
            return _("Instalments: give the amount first")
        signed_on = fields.day("signed_on", signed, local_now, past=True) or local_now.date()
        end_on = fields.day("end_on", end, local_now) or signed_on + timedelta(days=CONTRACT_DAYS)
        schedule = plan_schedule(amount_cents, signed_on, end_on, parse_schedule(payments), local_now)
    except CrmError as exc:
        return exc.message()
    total = format_amount(amount_cents)
    today = local_now.date()
    lines = ["  ·  ".join(_("{amount} due {due}").format(amount=format_amount(cents), due=shown_day(due, today))
                          for cents, due in schedule.given)] if schedule.given else []
    if schedule.final and not schedule.given:
        cents, due = schedule.final
        lines.append(_("No instalments given: the whole {amount} will be due {due}").format(
            amount=total, due=shown_day(due, today)))
    elif schedule.final:
        cents, due = schedule.final
        lines.append(_("{planned} of {amount}: remainder {remainder}, saving asks to add it due {due}").format(
            planned=format_amount(schedule.planned_cents), amount=total, remainder=format_amount(cents),
            due=shown_day(due, today)))
    else:
        lines.append(_("The instalments add up to the amount {amount}").format(amount=total))
    return "\n".join(lines)


def removal_note(ctx: Context, deal_id: str) -> str:
    """What removing the deal does to its contract, for the confirmation ("" when it has none): the contract is
    voided with it and stays in the customer's history, with what had been paid."""
    notes = []
    with ctx.db.read() as session:
        for contract in deal_store.contracts_of_deal(session, deal_id):
            payments = deal_store.payments_of(session, contract.id)
            paid = sum(p.amount_cents for p in payments if p.paid_on)
            template = (ngettext("Its contract {number} ({amount}, {count} instalment, {paid} paid) is voided with it"
                                 " and stays in the customer's history.",
                                 "Its contract {number} ({amount}, {count} instalments, {paid} paid) is voided with it"
                                 " and stays in the customer's history.", len(payments)) if payments else
                        _("Its contract {number} ({amount}) is voided with it and stays in the customer's history."))
            notes.append(template.format(number=contract.number, amount=format_amount(contract.amount_cents),
                                         count=len(payments), paid=format_amount(paid)))
    return sentences(*notes)


def contract_removal_sentence(contract: Contract, instalments: int, left_behind: bool = False) -> str:
    """One contract that goes with what is removed, named by number and amount with its instalments;
    `left_behind`: its deal was removed before (removing a deal did not always take its contract)."""
    amount = format_amount(contract.amount_cents)
    if left_behind:
        template = (_("It has contract {number} ({amount}) with one instalment, left behind by a removed deal: they are "
                      "removed with it.") if instalments == 1 else
                    _("It has contract {number} ({amount}) with {count} instalments, left behind by a removed deal: "
                      "they are removed with it."))
    else:
        template = (_("It has contract {number} ({amount}) with one instalment: they are removed with it.") if instalments == 1
                    else _("It has contract {number} ({amount}) with {count} instalments: they are removed with it."))
    return template.format(number=contract.number, amount=amount, count=instalments)
