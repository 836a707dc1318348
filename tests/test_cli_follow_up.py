"""`crm log --contact/--deal` and `crm amend`: whom a follow-up was with, which deal, and correcting the last one."""

from __future__ import annotations

import json
from datetime import timedelta

from crmtui.services.customers import add_contact, add_customer, customer_detail
from crmtui.services.deals import add_deal
from crmtui.services.follow_ups import log_follow_up

from .conftest import NOW
from .test_cli import LOG_OK, fails, ok


def _acme(ctx):  # type: ignore[no-untyped-def]
    acme = add_customer(ctx, "Acme Health")
    return acme, add_contact(ctx, acme.id, "Zhang San"), add_contact(ctx, acme.id, "Zhao Liu")


def test_log_names_the_contact_and_the_deal(ctx) -> None:  # type: ignore[no-untyped-def]
    acme, zhang, _zhao = _acme(ctx)
    erp = add_deal(ctx, acme.id, "ERP upgrade")
    ok("log", "Acme", *LOG_OK, "--next", "fri 3pm", "--contact", "zhang san", "--deal", "erp")
    (saved,) = customer_detail(ctx, acme.id).follow_ups
    assert (saved.contact_id, saved.deal_id) == (zhang.id, erp.id)
    assert "with Zhang San · about ERP upgrade" in ok("show", "Acme").stdout
    (shown,) = json.loads(ok("show", "Acme", "--json").stdout)["follow_ups"]
    assert (shown["contact_id"], shown["deal_id"], shown["corrects_id"]) == (zhang.id, erp.id, None)


def test_a_contact_that_could_mean_two_is_refused_with_the_candidates(ctx) -> None:  # type: ignore[no-untyped-def]
    acme, zhang, zhao = _acme(ctx)
    result = fails("log", "Acme", *LOG_OK, "--next", "fri 3pm", "--contact", "zh", code=3)
    assert '"zh" matches 2 contacts' in result.stderr
    assert f"{zhang.id[:8]}  Zhang San" in result.stderr and f"{zhao.id[:8]}  Zhao Liu" in result.stderr
    assert customer_detail(ctx, acme.id).follow_ups == []  # nothing logged


def test_a_contact_of_another_customer_is_refused_naming_the_customers_own(ctx) -> None:  # type: ignore[no-untyped-def]
    _acme(ctx)
    add_contact(ctx, add_customer(ctx, "Other Co").id, "Wang Wu")
    result = fails("log", "Acme", *LOG_OK, "--next", "fri 3pm", "--contact", "wang wu")
    assert result.stderr.strip() == 'error: contact: a contact of Acme Health: Zhang San, Zhao Liu (got "wang wu")'


def test_amend_corrects_the_last_follow_up_and_the_next_date_follows(ctx, frozen) -> None:  # type: ignore[no-untyped-def]
    acme, zhang, _zhao = _acme(ctx)
    wrong = log_follow_up(ctx, acme.id, channel="phone", goal="demo", goal_met=True, notes="went badly",
                          next_plan="send quote", next_at="in 3 days")
    frozen.move_to(NOW + timedelta(hours=3))
    result = ok("amend", "Acme", "--notes", "went well", "--next", "2026-12-04 10:00", "--contact", "zhang")
    assert result.stdout.startswith("corrected the last follow-up of Acme Health; next: send quote → ")
    (fixed,) = customer_detail(ctx, acme.id).follow_ups
    assert (fixed.notes, fixed.corrects_id, fixed.contact_id, fixed.goal) == ("went well", wrong.id, zhang.id, "demo")
    assert customer_detail(ctx, acme.id).customer.next_follow_up_at == fixed.next_at != wrong.next_at
    shown = ok("show", "Acme").stdout
    assert "(corrected)" in shown and "went badly" not in shown


def test_amend_after_the_deal_was_deleted_drops_the_link_and_an_empty_option_clears_one(ctx, frozen) -> None:  # type: ignore[no-untyped-def]
    acme, zhang, _zhao = _acme(ctx)
    erp = add_deal(ctx, acme.id, "ERP upgrade")
    ok("log", "Acme", *LOG_OK, "--next", "fri 3pm", "--contact", "zhang san", "--deal", "erp")
    ok("rm", "--deal", erp.id, "--yes")
    ok("amend", "Acme", "--notes", "fixed typo")  # the deal is gone: the correction no longer names it
    (fixed,) = customer_detail(ctx, acme.id).follow_ups
    assert (fixed.notes, fixed.deal_id, fixed.contact_id) == ("fixed typo", None, zhang.id)
    ok("amend", "Acme", "--contact", "")  # spoke to nobody named, after all
    (cleared,) = customer_detail(ctx, acme.id).follow_ups
    assert (cleared.notes, cleared.contact_id) == ("fixed typo", None)


def test_amend_refuses_a_follow_up_older_than_the_window_and_one_with_nothing_to_change(ctx, frozen) -> None:  # type: ignore[no-untyped-def]
    acme, _zhang, _zhao = _acme(ctx)
    assert fails("amend", "Acme", "--notes", "x").stderr.strip() == "error: Acme Health has no follow-up to correct"
    log_follow_up(ctx, acme.id, channel="phone", goal="demo", goal_met=True, notes="n", next_plan="p",
                  next_at="in 3 days")
    assert "give what to correct" in fails("amend", "Acme").stderr
    frozen.move_to(NOW + timedelta(hours=25))
    result = fails("amend", "Acme", "--notes", "too late")
    assert result.stderr.strip() == (
        "error: the last follow-up of Acme Health was logged Tue 24 Nov 10:00: a follow-up can be corrected only within"
        " 24 hours of logging it; log a new one instead")
