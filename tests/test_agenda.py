"""The agenda: each section lists what it should, says why, and leaves the rest out."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from crmtui.services.agenda import agenda_for
from crmtui.services import agenda_words
from crmtui.services.customers import add_contact, add_customer, add_lead, edit_customer
from crmtui.services.deals import PaymentPlan, add_deal, move_stage
from crmtui.services.follow_ups import log_follow_up

from .conftest import NOW, ZONE


def _log(ctx, customer_id, next_at):
    return log_follow_up(ctx, customer_id, channel="phone", goal="g", goal_met=True, notes="n", next_plan="call back",
                         next_at=next_at)


def _reasons(ctx, agenda, section):
    return {(item.customer_name, agenda_words.reason(ctx, item)) for item in agenda.sections[section]}


def test_overdue_and_due_today(ctx, frozen):
    frozen.move_to(NOW - timedelta(days=5))
    late = add_customer(ctx, "Late Ltd")
    _log(ctx, late.id, "in 2 days")  # due 3 days before NOW
    asleep = add_customer(ctx, "Asleep Ltd")
    _log(ctx, asleep.id, "in 1 day")
    edit_customer(ctx, asleep.id, {"status": "dormant"})
    frozen.move_to(NOW)
    today = add_customer(ctx, "今天公司")
    _log(ctx, today.id, "下午3点")
    tomorrow = add_customer(ctx, "Tomorrow Inc")
    _log(ctx, tomorrow.id, "tomorrow")
    add_deal(ctx, late.id, "Seats", amount="8万")

    agenda = agenda_for(ctx)
    assert _reasons(ctx, agenda, "overdue") == {("Late Ltd", "overdue 3 d")}
    (overdue,) = agenda.sections["overdue"]
    assert (overdue.next_plan, overdue.amount_cents, overdue.days) == ("call back", 8_000_000, 3)
    assert _reasons(ctx, agenda, "due") == {("今天公司", "due today 15:00")}
    names = {item.customer_name for item in agenda.items()}
    assert "Tomorrow Inc" not in names and "Asleep Ltd" not in names

    _log(ctx, late.id, "next fri")
    assert agenda_for(ctx).sections["overdue"] == []  # the row leaves "overdue" once logged
    assert {i.customer_name for i in agenda_for(ctx, date(2026, 12, 4)).sections["due"]} == {"Late Ltd"}


def test_high_intent_stalled_deals(ctx, frozen):
    frozen.move_to(NOW - timedelta(days=9))
    quiet = add_customer(ctx, "Quiet Quote")
    deal = add_deal(ctx, quiet.id, "Big deal", amount="100000")
    move_stage(ctx, deal.id, "quote", amount="100000")
    _log(ctx, quiet.id, "in 30 days")
    early = add_customer(ctx, "Early Stage")
    add_deal(ctx, early.id, "Small")
    _log(ctx, early.id, "in 30 days")
    frozen.move_to(NOW - timedelta(days=2))
    busy = add_customer(ctx, "Busy Proposal")
    busy_deal = add_deal(ctx, busy.id, "Active", stage="proposal")
    _log(ctx, busy.id, "in 30 days")
    frozen.move_to(NOW)

    agenda = agenda_for(ctx)
    assert _reasons(ctx, agenda, "stalled") == {("Quiet Quote", "stalled 9 d in Quote")}
    assert agenda.sections["stalled"][0].deal_id == deal.id
    assert busy_deal.id not in {i.deal_id for i in agenda.sections["stalled"]}
    ctx.settings = ctx.settings.__class__(timezone="Asia/Shanghai", stall_days=1)
    assert {i.customer_name for i in agenda_for(ctx).sections["stalled"]} == {"Quiet Quote", "Busy Proposal"}


def test_new_leads_past_the_speed_to_lead_window(ctx, frozen):
    frozen.move_to(NOW - timedelta(hours=30))
    add_lead(ctx, "Slow Lead")
    called = add_lead(ctx, "Called Lead")
    _log(ctx, called.id, "in 5 days")
    frozen.move_to(NOW - timedelta(hours=2))
    add_lead(ctx, "Fresh Lead")
    frozen.move_to(NOW)
    agenda = agenda_for(ctx)
    assert _reasons(ctx, agenda, "new_leads") == {("Slow Lead", "added 30 h ago, not contacted yet")}


def test_renewals_payments_and_birthdays(ctx, frozen):
    frozen.move_to(datetime(2025, 12, 14, 10, 0, tzinfo=ZONE))
    soon = add_customer(ctx, "Renew Soon")
    deal = add_deal(ctx, soon.id, "Licence", amount="36000")
    move_stage(ctx, deal.id, "won", contract_no="HT-9", signed="today", end="2026-12-14",
               payments=[PaymentPlan("1000", "2026-11-22"), PaymentPlan("1000", "2026-11-27"),
                         PaymentPlan("1000", "2026-12-20")], complete_schedule=True)  # the rest due 2027-01-19
    later = add_customer(ctx, "Renew Later")
    deal2 = add_deal(ctx, later.id, "Licence", amount="36000")
    move_stage(ctx, deal2.id, "won", contract_no="HT-10", signed="today", end="2027-01-14",
               payments=[PaymentPlan("36000", "2027-01-14")])
    frozen.move_to(NOW)
    add_contact(ctx, soon.id, "生日快乐", birthday="1990-11-27")
    add_contact(ctx, soon.id, "Not Yet", birthday="1990-12-10")
    add_contact(ctx, later.id, "Today Birthday", birthday="1985-11-24")

    agenda = agenda_for(ctx)
    assert _reasons(ctx, agenda, "renewals") == {("Renew Soon", "contract HT-9 ends in 20 d")}
    assert _reasons(ctx, agenda, "payments") == {
        ("Renew Soon", "payment overdue 2 d (HT-9)"), ("Renew Soon", "payment due in 3 d (HT-9)")}
    assert [agenda_words.reason(ctx, i) for i in agenda.sections["birthdays"]] == [
        "Today Birthday's birthday today", "生日快乐's birthday in 3 d"]


def test_birthdays_across_the_new_year(ctx, frozen):
    acme = add_customer(ctx, "Acme")
    add_contact(ctx, acme.id, "New Year", birthday="2000-01-02")
    frozen.move_to(datetime(2026, 12, 29, 9, 0, tzinfo=ZONE))
    assert [agenda_words.reason(ctx, i) for i in agenda_for(ctx).sections["birthdays"]] == ["New Year's birthday in 4 d"]


def test_every_item_says_why_it_is_listed_and_serialises(ctx, frozen):
    frozen.move_to(NOW - timedelta(days=2))
    late = add_customer(ctx, "Late")
    _log(ctx, late.id, "tomorrow")
    frozen.move_to(NOW)
    agenda = agenda_for(ctx)
    assert all(agenda_words.reason(ctx, item) for item in agenda.items())
    data = agenda.items()[0].as_dict(agenda_words.reason(ctx, agenda.items()[0]))
    assert data["customer"] == "Late" and data["reason"] == "overdue 1 d" and data["section"] == "overdue"


def test_long_sections_keep_the_most_urgent_rows_and_count_all(ctx, frozen, monkeypatch):
    import crmtui.store.agenda as store

    monkeypatch.setattr(store, "LIMIT", 3)
    for days in range(1, 6):
        frozen.move_to(NOW - timedelta(days=10))
        customer = add_customer(ctx, f"Late {days}")
        _log(ctx, customer.id, f"in {10 - days} days")  # overdue by `days`
    frozen.move_to(NOW)
    agenda = agenda_for(ctx)
    assert agenda.totals["overdue"] == 5
    assert [i.customer_name for i in agenda.sections["overdue"]] == ["Late 5", "Late 4", "Late 3"]
