"""The customer 360 presenter (services/customer_view.py): what the customer screen and `crm show` both print."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from crmtui.cli.commands import app
from crmtui.services.customer_view import FollowUpLine, VoidedLine, customer_360
from crmtui.services.customers import add_contact, add_customer, customer_detail, edit_contact, edit_customer
from crmtui.services.deals import add_deal, mark_paid, move_stage, parse_schedule, voided_contracts
from crmtui.services.follow_ups import log_follow_up
from crmtui.services.views import ContactView, CustomerView

from .conftest import NOW

runner = CliRunner()


def _log(ctx, customer_id, goal):
    return log_follow_up(ctx, customer_id, channel="phone", goal=goal, goal_met=True, notes="talked",
                         next_plan="send quote", next_at="2026-12-01 15:00")


def _view(ctx, customer_id):
    return customer_360(ctx, customer_detail(ctx, customer_id), voided_contracts(ctx, customer_id))


def test_a_voided_contract_stands_among_the_follow_ups_at_the_time_it_was_voided(ctx, frozen):
    acme = add_customer(ctx, "Acme")
    deal = add_deal(ctx, acme.id, "Seats", amount="120000")
    _log(ctx, acme.id, "first call")
    frozen.move_to(NOW + timedelta(days=1))
    move_stage(ctx, deal.id, "won", contract_no="HT-001", signed="today", payments=parse_schedule("120000@2026-12-31"))
    move_stage(ctx, deal.id, "negotiation", reopen=True)
    frozen.move_to(NOW + timedelta(days=2))
    _log(ctx, acme.id, "second call")

    view = _view(ctx, acme.id)

    assert [type(entry) for entry in view.timeline] == [FollowUpLine, VoidedLine, FollowUpLine]
    assert [entry.goal for entry in view.timeline if isinstance(entry, FollowUpLine)] == ["second call", "first call"]
    assert view.voided[0].text == "contract HT-001 (120,000) voided: Seats moved from Won to Negotiation"
    assert view.voided[0].when == "Wed 25 Nov 10:00"


def test_instalments_are_worded_once_paid_overdue_or_unpaid(ctx, frozen):
    acme = add_customer(ctx, "Acme")
    deal = add_deal(ctx, acme.id, "Seats", amount="90000")
    plans = [plan for text in ("30000@2026-11-20", "30000@2026-11-22", "30000@2026-12-31")
             for plan in parse_schedule(text)]
    move_stage(ctx, deal.id, "won", contract_no="HT-002", signed="2026-11-01", payments=plans)
    mark_paid(ctx, acme.id, paid_on="2026-11-21")

    (contract,) = _view(ctx, acme.id).contracts

    assert (contract.number, contract.amount, contract.signed) == ("HT-002", "90,000", "Sun 1 Nov")
    assert [(p.due, p.amount, p.paid, p.overdue) for p in contract.instalments] == [
        ("Fri 20 Nov", "30,000", "Sat 21 Nov", False),
        ("Sun 22 Nov", "30,000", "", True),
        ("Thu 31 Dec", "30,000", "", False),
    ]


def test_crm_show_prints_the_lines_of_the_presenter(ctx):
    acme = add_customer(ctx, "Acme", phone="13800138000")
    add_contact(ctx, acme.id, "王五", title="CTO", decision_maker=True, birthday="1985-03-12")
    add_deal(ctx, acme.id, "Seats", amount="12万")
    _log(ctx, acme.id, "confirm needs")
    view = _view(ctx, acme.id)

    shown = runner.invoke(app, ["show", "Acme"])

    assert shown.exit_code == 0, shown.output
    (contact,), (deal,), (follow_up,) = view.contacts, view.deals, view.follow_ups
    assert f"  王五  CTO  ★decision maker  birthday {contact.birthday}\n" in shown.output
    assert f"  Seats  {deal.stage} ({deal.days_in_stage} d)  {deal.amount}\n" in shown.output
    assert f"  {follow_up.when}  {follow_up.channel}  confirm needs (met)\n" in shown.output
    assert f"      → send quote  {follow_up.next_when}\n" in shown.output
    assert f"  next follow-up: {view.next_follow_up}\n" in shown.output


async def test_the_customer_screen_removes_a_contact_off_the_event_loop_and_says_so(ctx, monkeypatch):
    import threading

    from textual.widgets import OptionList

    import crmtui.tui.screens.customer as customer_screen
    from crmtui.services.customers import delete_contact
    from crmtui.tui.app import build_app
    from crmtui.tui.dialogs.confirm import ConfirmScreen

    threads: list[threading.Thread] = []

    def noted(*args, **kwargs):
        threads.append(threading.current_thread())
        return delete_contact(*args, **kwargs)

    monkeypatch.setattr(customer_screen, "delete_contact", noted)
    acme = add_customer(ctx, "Acme")
    add_contact(ctx, acme.id, "Jane")
    app = build_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.open_customer(acme.id)
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        for _round in range(3):  # the removal, then the reload it asks for
            await app.workers.wait_for_complete()
            await pilot.pause()
        assert len(threads) == 1 and threads[0] is not threading.main_thread()
        assert any(n.message == "Removed contact Jane" for n in app._notifications)
        assert screen.query_one("#contacts", OptionList).get_option_at_index(0).disabled  # "none yet — a adds one"
    assert customer_detail(ctx, acme.id).contacts == []


def test_the_detail_and_the_edits_hand_out_frozen_views_not_rows(ctx, frozen):
    # A screen keeps what the services gave it: a copy that cannot be changed behind the service's back, and that
    # the next read (not a session) brings up to date.
    acme = add_customer(ctx, "Acme", phone="13800000001")
    contact = add_contact(ctx, acme.id, "Li Lei", title="buyer")
    detail = customer_detail(ctx, acme.id)
    assert isinstance(detail.customer, CustomerView) and all(isinstance(c, ContactView) for c in detail.contacts)
    with pytest.raises(dataclasses.FrozenInstanceError):
        detail.customer.name = "Other"  # type: ignore[misc]
    edited = edit_customer(ctx, acme.id, {"region": "北京"})
    assert isinstance(edited, CustomerView) and edited.region == "北京"
    assert detail.customer.region is None  # the view read before the edit is what it was
    assert customer_detail(ctx, acme.id).customer.region == "北京"
    retitled = edit_contact(ctx, contact.id, {"title": "CEO"})
    assert isinstance(retitled, ContactView) and retitled.title == "CEO"
    assert customer_detail(ctx, acme.id).contacts[0].title == "CEO"


def _held(value: object, where: str = "detail"):
    """Every value the detail holds, with where it is, walking its fields, lists, tuples and dicts."""
    yield where, value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _held(getattr(value, f.name), f"{where}.{f.name}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _held(item, f"{where}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _held(item, f"{where}[{key!r}]")


def test_the_detail_holds_no_database_row_only_frozen_views(ctx, frozen):
    from sqlmodel import SQLModel

    acme = add_customer(ctx, "Acme", tags=["VIP"])
    add_contact(ctx, acme.id, "Li Lei", title="buyer")
    deal = add_deal(ctx, acme.id, "Seats", amount="90000")
    add_deal(ctx, acme.id, "Support")
    _log(ctx, acme.id, "first call")
    move_stage(ctx, deal.id, "won", contract_no="HT-003", signed="2026-11-01",
               payments=parse_schedule("30000@2026-11-20") + parse_schedule("60000@2026-12-31"))
    detail = customer_detail(ctx, acme.id)
    held = list(_held(detail))

    assert [where for where, value in held if isinstance(value, SQLModel)] == []
    records = [value for _where, value in held if dataclasses.is_dataclass(value) and value is not detail]
    # what the walk went through: the customer, a contact, two deals, a follow-up, a contract and two instalments
    assert len(records) == 8
    assert all(type(value).__dataclass_params__.frozen for value in records)  # type: ignore[attr-defined]
    assert (detail.contracts[0].number, [p.amount_cents for p in detail.payments[detail.contracts[0].id]]) == (
        "HT-003", [3_000_000, 6_000_000])
