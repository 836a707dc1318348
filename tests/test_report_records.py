"""The records behind a report's number (services/reports/records.py): in the drill's order, deleted ones left
out, each with the fields the app's list shows, days in the rep's zone."""

from __future__ import annotations

from datetime import date, datetime

from crmtui.services.customers import add_customer
from crmtui.services.deals import PaymentPlan, add_deal, delete_deal, move_stage
from crmtui.services.follow_ups import log_follow_up
from crmtui.services.reports.base import Drill
from crmtui.services.reports.records import columns, records

from .conftest import NOW, ZONE


def _walk_to_won(ctx, deal_id: str, **won) -> None:
    keys = [s.key for s in ctx.settings.stages]
    for key in keys[1:keys.index("won")]:
        move_stage(ctx, deal_id, key, amount="80000" if key == "quote" else None)
    move_stage(ctx, deal_id, "won", **won)


def test_deals_come_in_the_drills_order_without_the_deleted(ctx, frozen) -> None:
    frozen.move_to(datetime(2026, 10, 30, 10, 0, tzinfo=ZONE))
    acme = add_customer(ctx, "Acme Analytics")
    globex = add_customer(ctx, "Globex Logistics")
    first = add_deal(ctx, acme.id, "CRM seats", amount="80000")
    second = add_deal(ctx, globex.id, "Support", amount="12000")
    gone = add_deal(ctx, globex.id, "Old idea", amount="5000")
    # 2026-10-31 23:30 in Shanghai is 15:30 UTC the same day; 2026-11-01 00:30 local is still Oct 31 in UTC
    frozen.move_to(datetime(2026, 11, 1, 0, 30, tzinfo=ZONE))
    move_stage(ctx, second.id, "needs")
    frozen.move_to(NOW)
    delete_deal(ctx, gone.id)

    lines = records(ctx, Drill("deals", (second.id, gone.id, first.id), "Deals"))

    assert [line.id for line in lines] == [second.id, first.id]  # the drill's order; the deleted one left out
    support, seats = lines
    assert (support.name, support.customer, support.customer_id, support.amount_cents) == (
        "Support", "Globex Logistics", globex.id, 1_200_000)  # 12,000 yuan = 1,200,000 cents
    assert support.state == "Needs confirmed" and support.day == date(2026, 11, 1)  # local day, not UTC's Oct 31
    assert support.deal_id == second.id
    assert seats.day == date(2026, 10, 30) and seats.state == "Initial contact"  # created in its first stage
    assert records(ctx, Drill("deals", (second.id, first.id), "Deals"), limit=1)[0].id == second.id


def test_customers_follow_ups_and_instalments(ctx, frozen) -> None:
    frozen.move_to(datetime(2026, 10, 31, 23, 30, tzinfo=ZONE))  # October in Shanghai (15:30 UTC)
    acme = add_customer(ctx, "Acme Analytics")
    logged = log_follow_up(ctx, acme.id, channel="wechat", goal="Send the quote", goal_met=True, notes="ok",
                           next_plan="call", next_at="in 3 days")
    frozen.move_to(NOW)
    deal = add_deal(ctx, acme.id, "CRM seats", amount="80000")
    _walk_to_won(ctx, deal.id, contract_no="HT-1", signed="today", amount="80000",
                 payments=[PaymentPlan("30000", date(2026, 12, 31)), PaymentPlan("50000", date(2027, 3, 31))])

    [customer] = records(ctx, Drill("customers", (acme.id,), "Customers"))
    assert (customer.name, customer.customer_id) == ("Acme Analytics", acme.id)
    assert customer.day == date(2026, 10, 31)  # last contact: the follow-up's local day
    assert customer.state == "C · customer"  # won a deal: a customer now; the default tier C

    [follow_up] = records(ctx, Drill("follow_ups", (logged.id,), "Follow-ups"))
    assert (follow_up.name, follow_up.state, follow_up.day) == ("Send the quote", "WeChat", date(2026, 10, 31))

    from crmtui.services.deals import payments_of_deal

    instalments = payments_of_deal(ctx, deal.id)
    lines = records(ctx, Drill("payments", tuple(p.id for p in instalments), "Instalments"))
    assert [(line.name, line.amount_cents, line.day, line.state) for line in lines] == [
        ("HT-1", 3_000_000, date(2026, 12, 31), "due"), ("HT-1", 5_000_000, date(2027, 3, 31), "due")]
    assert all(line.deal_id == deal.id and line.customer == "Acme Analytics" for line in lines)
    assert [label for _field, label in columns("payments")] == ["Contract", "Customer", "Paid", "Amount", "Day"]
    assert [field for field, _label in columns("customers")] == ["name", "state", "day"]  # no customer twice


def test_a_long_drill_is_read_in_chunks(ctx) -> None:
    # more ids than one statement's chunk (500): every found one comes back, none twice
    acme = add_customer(ctx, "Acme Analytics")
    ids = tuple(f"missing-{n}" for n in range(1_200)) + (acme.id,)
    assert [line.id for line in records(ctx, Drill("customers", ids, "Customers"))] == [acme.id]
