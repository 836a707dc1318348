"""Deals: add, edit, delete, find, and moves between stages with their gates (完成条件)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from crmtui import labels
from crmtui.errors import InvalidInput, MissingFields, NotAllowed, NotFound
from crmtui.formatting import format_amount, parse_amount
from crmtui.services import fields
from crmtui.services.context import Context
from crmtui.store import customers as customer_store
from crmtui.store import deals as deal_store
from crmtui.store.models import Contract, Customer, Deal, DealStageChange, Payment
from crmtui.store.session import StoreSession

LOST_REASONS = ("price", "competitor", "no budget", "no decision", "timing", "no response", "other")
"""Offered as a list by the TUI; any text is accepted as the reason."""

LOST_REASON_FIELD = "reason (e.g. price, competitor, no budget, no decision, timing, no response, other)"
"""The missing field of a move to Lost; labels.FIELD has its translation."""

CONTRACT_DAYS = 365
"""A contract without an end date runs a year: the renewal reminder needs an end."""


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
    with ctx.db.write(now) as session:
        customer = customer_store.get_customer(session, customer_id)
        if customer is None or customer.deleted_at is not None:
            raise NotFound("customer", customer_id)
        session.add(deal)
        session.flush()
        session.add(DealStageChange(deal_id=deal.id, to_stage=chosen.key, at=now, created_at=now, updated_at=now))
        if customer.status == "lead":
            customer.status = "prospect"
            customer.updated_at = now
    return deal


def edit_deal(ctx: Context, deal_id: str, changes: dict[str, object]) -> Deal:
    """Changes title, amount, close date or competitor; the stage changes only through move_stage."""
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
        elif name == "stage":
            raise InvalidInput("stage", "a change through `crm stage DEAL STAGE` (stages have gates)")
        else:
            raise InvalidInput(name, "a deal field: title, amount, close, competitor")
    with ctx.db.write(now) as session:
        deal = _live_deal(session, deal_id)
        if deal.stage == "won" and "amount_cents" in cleaned and cleaned["amount_cents"] != deal.amount_cents:
            raise NotAllowed("a won deal's amount is its contract's; it cannot be changed here")
        for name, value in cleaned.items():
            setattr(deal, name, value)
        deal.updated_at = now
    return deal


def delete_deal(ctx: Context, deal_id: str) -> Deal:
    """Soft-deletes a deal."""
    now = ctx.clock.utcnow()
    with ctx.db.write(now) as session:
        deal = _live_deal(session, deal_id)
        deal.deleted_at = now
        deal.updated_at = now
    return deal


def list_deals(ctx: Context, stages: tuple[str, ...] | None = None) -> list[tuple[Deal, Customer]]:
    """Live deals with their customers."""
    with ctx.db.read() as session:
        return deal_store.list_deals(session, stages)


def days_in_stage(ctx: Context, deal: Deal) -> int:
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
) -> Deal:
    """Moves a deal, enforcing the gates: Quote needs the quoted amount; Won needs contract number,
    amount and signed date (and creates the contract and payments); Lost needs a reason.
    Moving forward schedules the customer's next follow-up when none is pending."""
    target = ctx.settings.stage(stage)
    now = ctx.clock.utcnow()
    local_now = ctx.clock.now()
    amount_cents = parse_amount(amount)
    with ctx.db.write(now) as session:
        deal = _live_deal(session, deal_id)
        if deal.stage == target.key:
            raise InvalidInput("stage", "a stage other than the current one ({current})", stage,
                               current=labels.Shown(labels.stage_name, target))
        if deal.stage == "won":
            raise NotAllowed("a won deal has its contract; open a new deal for new business")
        missing: list[str] = []
        if target.key == "quote" and amount_cents is None and deal.quoted_cents is None:
            missing.append("amount (the quoted amount)")
        if target.key == "won":
            if not (contract_no and contract_no.strip()):
                missing.append("contract-no")
            if amount_cents is None and deal.amount_cents is None:
                missing.append("amount")
            if signed is None or (isinstance(signed, str) and not signed.strip()):
                missing.append("signed (the signed date)")
        if target.key == "lost" and not (reason and reason.strip()):
            missing.append(LOST_REASON_FIELD)
        if missing:
            raise MissingFields(missing, "moving to {stage}", stage=labels.Shown(labels.stage_name, target))

        previous = deal.stage
        if target.key == "quote":
            if amount_cents is not None:
                deal.quoted_cents = amount_cents
                deal.amount_cents = amount_cents
        elif target.key == "won":
            if amount_cents is not None:
                deal.amount_cents = amount_cents
            _create_contract(session, ctx, deal, contract_no or "", signed, end, payments or [], now, local_now)
        elif target.key == "lost":
            deal.lost_reason = fields.single_line("reason", reason, required=True, max_len=500)
        elif amount_cents is not None:
            deal.amount_cents = amount_cents
        if previous == "lost" and target.key != "lost":
            deal.lost_reason = None  # reopened: the old reason no longer describes it
        deal.stage = target.key
        deal.probability = target.probability
        deal.stage_entered_at = now
        deal.updated_at = now
        session.add(DealStageChange(deal_id=deal.id, from_stage=previous, to_stage=target.key, at=now, created_at=now, updated_at=now))

        customer = customer_store.get_customer(session, deal.customer_id)
        assert customer is not None
        forward = target.key != "lost" and (
            previous == "lost" or ctx.settings.stage_index(target.key) > ctx.settings.stage_index(previous)
        )
        if target.key == "won":
            customer.status = "customer"
        elif customer.status == "lead":
            customer.status = "prospect"
        if forward and target.key != "won" and customer.next_follow_up_at is None:
            day = local_now.date() + timedelta(days=ctx.settings.stage_follow_up_days)
            customer.next_follow_up_at = ctx.clock.to_utc(datetime.combine(day, ctx.settings.default_time, ctx.clock.zone))
        customer.updated_at = now
    return deal


def _create_contract(
    session: StoreSession,
    ctx: Context,
    deal: Deal,
    number: str,
    signed: str | date | None,
    end: str | date | None,
    payments: list[PaymentPlan],
    now: datetime,
    local_now: datetime,
) -> Contract:
    number_clean = fields.single_line("contract-no", number, required=True, max_len=80)
    assert number_clean is not None
    if deal_store.find_contract_number(session, number_clean):
        raise InvalidInput("contract-no", "a number not used by another contract", number)
    signed_on = fields.day("signed", signed, local_now)
    assert signed_on is not None
    if signed_on > local_now.date():
        raise InvalidInput("signed", "a date that is not in the future", str(signed))
    end_on = fields.day("end", end, local_now) or signed_on + timedelta(days=CONTRACT_DAYS)
    if end_on <= signed_on:
        raise InvalidInput("end", "a date after the signed date", str(end))
    contract = Contract(
        deal_id=deal.id,
        customer_id=deal.customer_id,
        number=number_clean,
        amount_cents=deal.amount_cents or 0,
        signed_on=signed_on,
        end_on=end_on,
        created_at=now,
        updated_at=now,
    )
    session.add(contract)
    session.flush()
    planned = 0
    for plan in payments:
        cents = parse_amount(plan.amount, "payment amount")
        due = fields.day("payment due date", plan.due, local_now)
        if not cents or due is None:
            raise InvalidInput("payment", 'AMOUNT@DATE with an amount above 0, e.g. "5000@2026-12-31"', plan.amount)
        if due < signed_on:
            raise InvalidInput("payment due date", "a date on or after the signed date {signed}", str(plan.due), signed=signed_on)
        planned += cents
        if planned > contract.amount_cents:
            raise InvalidInput("payment", "instalments adding up to at most the contract amount {amount}", plan.amount,
                               amount=format_amount(contract.amount_cents))
        session.add(Payment(contract_id=contract.id, amount_cents=cents, due_on=due, created_at=now, updated_at=now))
    return contract


def mark_paid(ctx: Context, customer_id: str, *, contract_no: str | None = None, paid_on: str | date | None = None) -> Payment:
    """Marks the customer's earliest unpaid instalment (of one contract, if named) as paid (回款)."""
    now = ctx.clock.utcnow()
    local_now = ctx.clock.now()
    day = fields.day("on", paid_on, local_now) or local_now.date()
    if day > local_now.date():
        raise InvalidInput("on", "a date that is not in the future", str(paid_on))
    with ctx.db.write(now) as session:
        unpaid = deal_store.unpaid_payments(session, customer_id, contract_no)
        if not unpaid:
            customer = customer_store.get_customer(session, customer_id)
            raise NotFound("unpaid instalment", contract_no or (customer.name if customer else customer_id))
        payment = unpaid[0]
        payment.paid_on = day
        payment.updated_at = now
    return payment
