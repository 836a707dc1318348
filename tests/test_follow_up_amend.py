"""Whom a follow-up was with and which deal it was about, and correcting the last follow-up (real SQLite files)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crmtui.core.errors import Ambiguous, InvalidInput, NotAllowed
from crmtui.services.customer_view import customer_360
from crmtui.services.customers import add_contact, add_customer, customer_detail
from crmtui.services.deals import add_deal, move_stage, voided_contracts
from crmtui.services.follow_ups import (
    CORRECTION_WINDOW,
    amend_follow_up,
    follow_up_choices,
    last_follow_up,
    log_follow_up,
    resolve_reference,
)
from crmtui.store.raw import from_db

from .conftest import NOW


def _log(ctx, customer_id: str, notes: str = "talked", **extra):  # type: ignore[no-untyped-def]
    return log_follow_up(ctx, customer_id, channel="phone", goal="intro", goal_met=True, notes=notes,
                         next_plan="send deck", next_at="in 3 days", **extra)


def _view(ctx, customer_id: str):  # type: ignore[no-untyped-def]
    return customer_360(ctx, customer_detail(ctx, customer_id), voided_contracts(ctx, customer_id))


def _dates(ctx, customer_id: str) -> tuple[object, object]:  # type: ignore[no-untyped-def]
    with ctx.db.raw_read() as connection:
        row = connection.execute("SELECT last_contact_at, next_follow_up_at FROM customer WHERE id = ?",
                                 (customer_id,)).fetchone()
    return from_db(row[0]), from_db(row[1])


def test_the_choices_are_the_customers_contacts_and_open_deals(ctx) -> None:  # type: ignore[no-untyped-def]
    acme = add_customer(ctx, "Acme Health")
    other = add_customer(ctx, "Other Co")
    add_contact(ctx, acme.id, "Zhang San", title="CTO")
    add_contact(ctx, other.id, "Li Si")
    erp = add_deal(ctx, acme.id, "ERP upgrade")
    won = add_deal(ctx, acme.id, "Old licence")
    move_stage(ctx, won.id, "lost", reason="budget cut")
    choices = follow_up_choices(ctx, acme.id)
    assert [c.label for c in choices.contacts] == ["Zhang San · CTO"]
    assert [c.id for c in choices.deals] == [erp.id]
    assert won.id in [c.id for c in follow_up_choices(ctx, acme.id, keep=(won.id,)).deals]


def test_a_follow_up_names_its_contact_and_deal_on_the_timeline(ctx) -> None:  # type: ignore[no-untyped-def]
    acme = add_customer(ctx, "Acme Health")
    zhang = add_contact(ctx, acme.id, "Zhang San")
    erp = add_deal(ctx, acme.id, "ERP upgrade")
    _log(ctx, acme.id, contact_id=zhang.id, deal_id=erp.id)
    (line,) = _view(ctx, acme.id).follow_ups
    assert (line.contact, line.deal, line.corrected) == ("Zhang San", "ERP upgrade", False)
    assert line.about == "with Zhang San · about ERP upgrade"


def test_a_reference_to_a_contact_or_deal_resolves_within_the_customer(ctx) -> None:  # type: ignore[no-untyped-def]
    acme = add_customer(ctx, "Acme Health")
    zhang = add_contact(ctx, acme.id, "张三")
    zhao = add_contact(ctx, acme.id, "Zhao Liu")
    add_contact(ctx, add_customer(ctx, "Other").id, "Zhang Wei")
    erp = add_deal(ctx, acme.id, "ERP upgrade")
    add_deal(ctx, acme.id, "ERP support")
    assert resolve_reference(ctx, acme.id, "contact", "zs") == zhang.id
    assert resolve_reference(ctx, acme.id, "contact", "zhao liu") == zhao.id
    assert resolve_reference(ctx, acme.id, "contact", zhao.id[:6]) == zhao.id
    assert resolve_reference(ctx, acme.id, "deal", "erp upgrade") == erp.id
    with pytest.raises(Ambiguous) as ambiguous:
        resolve_reference(ctx, acme.id, "deal", "erp")
    assert sorted(m.label.split(" · ")[0] for m in ambiguous.value.matches) == ["ERP support", "ERP upgrade"]
    with pytest.raises(Ambiguous):
        resolve_reference(ctx, acme.id, "contact", "zh")  # 张三 (zhang) and Zhao Liu
    with pytest.raises(InvalidInput, match="a contact of Acme Health: Zhao Liu, 张三"):
        resolve_reference(ctx, acme.id, "contact", "wei")


def test_correcting_the_last_follow_up_supersedes_it_and_moves_the_next_date(ctx, frozen) -> None:  # type: ignore[no-untyped-def]
    acme = add_customer(ctx, "Acme Health")
    _log(ctx, acme.id, "first call")
    frozen.move_to(NOW + timedelta(hours=1))
    wrong = _log(ctx, acme.id, "typed wrong")
    frozen.move_to(NOW + timedelta(hours=5))
    fixed = amend_follow_up(ctx, acme.id, wrong.id, notes="typed right", next_at="in 7 days")
    assert fixed.corrects_id == wrong.id and fixed.at == wrong.at
    lines = _view(ctx, acme.id).follow_ups
    assert [(line.notes, line.corrected) for line in lines] == [("typed right", True), ("first call", False)]
    assert lines[0].next_plan == "send deck"  # what was not changed stays
    last_contact, next_at = _dates(ctx, acme.id)
    assert last_contact == wrong.at and next_at == fixed.next_at and next_at != wrong.next_at
    # The correction is the last follow-up now: it can be corrected again, within the window of the first.
    again = amend_follow_up(ctx, acme.id, notes="typed right, really")
    assert again.corrects_id == fixed.id
    assert [line.notes for line in _view(ctx, acme.id).follow_ups] == ["typed right, really", "first call"]


def test_a_follow_up_is_corrected_only_within_the_window_and_only_the_last(ctx, frozen) -> None:  # type: ignore[no-untyped-def]
    acme = add_customer(ctx, "Acme Health")
    with pytest.raises(NotAllowed, match="Acme Health has no follow-up to correct"):
        last_follow_up(ctx, acme.id)
    first = _log(ctx, acme.id, "first call")
    frozen.move_to(NOW + timedelta(hours=1))
    _log(ctx, acme.id, "second call")
    with pytest.raises(NotAllowed, match="changed meanwhile"):
        amend_follow_up(ctx, acme.id, first.id, notes="fixing the older one")
    frozen.move_to(NOW + timedelta(hours=20))
    fixed = amend_follow_up(ctx, acme.id, notes="second call, fixed")
    # The window runs from when the corrected follow-up was first logged, not from its last correction.
    frozen.move_to(NOW + timedelta(hours=1) + CORRECTION_WINDOW + timedelta(minutes=1))
    with pytest.raises(NotAllowed, match="only within 24 hours of logging it; log a new one instead"):
        amend_follow_up(ctx, acme.id, fixed.id, notes="too late")


def test_a_colleagues_follow_up_is_not_corrected_here(ctx) -> None:  # type: ignore[no-untyped-def]
    acme = add_customer(ctx, "Acme Health")
    theirs = _log(ctx, acme.id, "li's call")
    with ctx.db.raw_write(NOW) as (connection, _outbox):  # as a pull writes the author the server recorded
        connection.execute("UPDATE follow_up SET author = 'li' WHERE id = ?", (theirs.id,))
    with pytest.raises(NotAllowed, match="the last follow-up of Acme Health was logged by li; only they can correct it"):
        amend_follow_up(ctx, acme.id, notes="rewritten")


def test_search_finds_the_correction_not_the_text_it_replaced(ctx) -> None:  # type: ignore[no-untyped-def]
    from crmtui.services.search import search

    acme = add_customer(ctx, "Acme Health")
    log_follow_up(ctx, acme.id, channel="phone", goal="demo", goal_met=True, notes="zebratypo in the notes",
                  next_plan="send quote", next_at="in 3 days")
    amend_follow_up(ctx, acme.id, notes="zebrafixed in the notes")
    assert [h.kind for h in search(ctx, "zebrafixed")] == ["follow_up"]
    assert [h for h in search(ctx, "zebratypo") if h.kind == "follow_up"] == []
