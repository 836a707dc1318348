"""The `crm` quick-entry command line, run in-process with typer's CliRunner.

Every test runs against the temp CRMTUI_HOME of conftest (a real SQLite file at
CRMTUI_HOME/data/crm.db) with the clock frozen at Tue 2026-11-24 10:00 Asia/Shanghai.
Seeding goes through the services (the `ctx` fixture, same file) or through the CLI;
effects are read back through `crm show/list --json` or the services.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner, Result

from crmtui.cli.commands import app
from crmtui.services.agenda import agenda_for
from crmtui.services.context import Context
from crmtui.services.customers import add_contact, add_customer, add_lead, customer_detail, list_customers
from crmtui.services.deals import PaymentPlan, add_deal, list_deals, move_stage
from crmtui.services.follow_ups import log_follow_up

ZONE = ZoneInfo("Asia/Shanghai")
runner = CliRunner()


# ---------------------------------------------------------------- helpers


def crm(*args: str, env: dict[str, str | None] | None = None, color: bool = False, input: str | None = None) -> Result:
    """Runs `crm ARGS...` in-process."""
    return runner.invoke(app, list(args), env=env, color=color, input=input)


def ok(*args: str, **kwargs: object) -> Result:
    """`crm ARGS` must succeed: exit 0, no exception, nothing on stderr."""
    result = crm(*args, **kwargs)  # type: ignore[arg-type]
    assert result.exit_code == 0, f"exit {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}\nexc: {result.exception!r}"
    assert result.exception is None
    assert result.stderr == ""
    return result


def fails(*args: str, code: int = 1, **kwargs: object) -> Result:
    """`crm ARGS` must fail cleanly: the exact exit code, through SystemExit (never a crash),
    the message on stderr and nothing on stdout."""
    result = crm(*args, **kwargs)  # type: ignore[arg-type]
    assert isinstance(result.exception, SystemExit), f"crashed instead of failing cleanly: {result.exception!r}"
    assert result.exit_code == code, f"exit {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert result.stderr.strip()
    return result


def show(ref: str) -> dict:
    """`crm show REF --json` as a dict."""
    return json.loads(ok("show", ref, "--json").stdout)


def listed(kind: str = "customers") -> list[dict]:
    """`crm list KIND --json` as a list."""
    return json.loads(ok("list", kind, "--json").stdout)


def names(kind: str = "customers") -> list[str]:
    return sorted(row["name"] for row in listed(kind))


def everyone() -> list[str]:
    """Names of every live customer and lead."""
    return sorted(names("customers") + names("leads"))


LOG_OK = ["--via", "phone", "--goal", "Confirm needs", "--met", "--notes", "They want 20 seats",
          "--next-plan", "Send the quote"]


# ---------------------------------------------------------------- add lead / customer


def test_add_lead_stores_every_field_and_lists_it_as_a_lead():
    result = ok("add", "lead", "张三", "--company", "某某科技", "--phone", "138 0013 8000", "--email", "zs@example.cn",
                "--wechat", "zs_wx", "--source", "referral", "--tag", "VIP", "--tag", "展会", "--interest", "CRM seats")
    assert "added lead 张三" in result.stdout
    data = show("张三")
    assert data["status"] == "lead"
    assert data["kind"] == "person"
    assert (data["company"], data["phone"], data["email"], data["wechat"]) == ("某某科技", "138 0013 8000", "zs@example.cn", "zs_wx")
    assert (data["source"], data["interest"]) == ("referral", "CRM seats")
    assert sorted(data["tags"]) == ["VIP", "展会"]
    # phone (20) + interest (20) + quality source (30) = 70: tier A
    assert (data["score"], data["tier"]) == (70, "A")
    assert names("leads") == ["张三"]
    assert names("customers") == []


def test_add_customer_is_a_prospect_listed_with_customers(ctx: Context):
    result = ok("add", "customer", "Acme Analytics", "--company", "Acme Group", "--phone", "+1 555 0100",
                "--email", "sales@acme.com", "--source", "inbound", "--interest", "Data platform", "--tag", "SaaS")
    assert "added customer Acme Analytics" in result.stdout
    stored = list_customers(ctx)
    assert [c.name for c in stored] == ["Acme Analytics"]
    assert stored[0].status == "prospect"
    assert stored[0].kind == "company"
    detail = customer_detail(ctx, stored[0].id)
    assert detail.tags == ["SaaS"]
    assert (detail.customer.phone, detail.customer.email) == ("+1 555 0100", "sales@acme.com")
    assert names("leads") == []


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["add", "customer", "Acme", "--email", "not-an-address"], "email"),
        (["add", "lead", "Bob", "--phone", "12"], "phone"),
        (["add", "lead", "Bob", "--phone", "call me"], "phone"),
        (["add", "customer", ""], "name"),
        (["add", "customer", "   "], "name"),
        (["add", "customer", "!!!"], "name"),
        (["add", "customer", "a\nb"], "name"),
        (["add", "customer", "x" * 201], "name"),
        (["add", "lead", "Bob", "--tag", "ok", "--tag", "t" * 41], "tag"),
        (["add", "lead", "Bob", "--wechat", "w" * 65], "wechat"),
    ],
)
def test_add_with_bad_input_names_the_field_and_stores_nothing(args, field):
    result = fails(*args)
    assert result.stderr.startswith(f"error: {field}:")
    assert everyone() == []


# ---------------------------------------------------------------- duplicates


@pytest.fixture
def existing(ctx: Context):
    return add_customer(ctx, "北京市某某科技有限公司", phone="+86 138-0013-8000", email="Sales@MouMou.com")


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["add", "customer", "Other Name", "--phone", "13800138000"], "phone"),
        (["add", "lead", "Someone", "--phone", "0086 138 0013 8000"], "phone"),
        (["add", "lead", "Someone", "--email", "sales@moumou.COM"], "email"),
        (["add", "customer", "Other Name", "--email", " SALES@moumou.com "], "email"),
        (["add", "customer", "北京某某科技"], "name"),
        (["add", "lead", "北京某某科技有限公司"], "name"),
    ],
)
def test_duplicate_is_refused_naming_the_existing_record(existing, args, reason):
    result = fails(*args)
    assert f"same {reason}" in result.stderr
    assert "北京市某某科技有限公司" in result.stderr
    assert existing.id[:8] in result.stderr
    assert "--force" in result.stderr
    assert everyone() == ["北京市某某科技有限公司"]


@pytest.mark.parametrize(
    "args",
    [
        ["add", "customer", "Other Name", "--phone", "13800138000", "--force"],
        ["add", "lead", "Someone", "--email", "sales@moumou.COM", "--force"],
        ["add", "customer", "北京某某科技", "--force"],
    ],
)
def test_duplicate_with_force_is_added(existing, args):
    ok(*args)
    assert len(everyone()) == 2


def test_duplicate_of_a_contacts_phone_names_that_contacts_customer(ctx: Context):
    owner = add_customer(ctx, "Globex")
    add_contact(ctx, owner.id, "Hank", phone="139-0000-0001")
    result = fails("add", "lead", "Hank Scorpio", "--phone", "+86 13900000001")
    assert "same phone" in result.stderr
    assert "Globex" in result.stderr
    assert names("leads") == []


# ---------------------------------------------------------------- add contact / deal


def test_add_contact_stores_its_fields(ctx: Context):
    acme = add_customer(ctx, "Acme")
    result = ok("add", "contact", "Acme", "王五", "--title", "CTO", "--phone", "13900000002", "--email", "ww@acme.com",
                "--decision-maker", "--birthday", "1985-03-12")
    assert "added contact 王五 at Acme" in result.stdout
    contacts = customer_detail(ctx, acme.id).contacts
    assert len(contacts) == 1
    c = contacts[0]
    assert (c.name, c.title, c.phone, c.email, c.decision_maker) == ("王五", "CTO", "13900000002", "ww@acme.com", True)
    assert c.birthday.isoformat() == "1985-03-12"
    # a decision maker and a reachable contact raise the customer's score
    assert show("Acme")["score"] == 50


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--birthday", "下周八"], "birthday"),
        (["--email", "nope"], "email"),
        (["--phone", "x"], "phone"),
        (["--title", "a\nb"], "title"),
    ],
)
def test_add_contact_with_bad_input_names_the_field(ctx: Context, args, field):
    acme = add_customer(ctx, "Acme")
    result = fails("add", "contact", "Acme", "王五", *args)
    assert result.stderr.startswith(f"error: {field}:")
    assert customer_detail(ctx, acme.id).contacts == []


def test_add_contact_with_a_blank_name_is_refused(ctx: Context):
    acme = add_customer(ctx, "Acme")
    result = fails("add", "contact", "Acme", "  ")
    assert result.stderr.startswith("error: name:")
    assert customer_detail(ctx, acme.id).contacts == []


def test_add_contact_duplicate_phone_or_name_is_refused_and_force_adds(ctx: Context):
    acme = add_customer(ctx, "Acme")
    globex = add_customer(ctx, "Globex")
    add_contact(ctx, acme.id, "Carl", phone="13900000003")
    # the same phone at another customer names that customer
    result = fails("add", "contact", "Globex", "Carla", "--phone", "+86 139 0000 0003")
    assert "same phone" in result.stderr and '"Acme"' in result.stderr and acme.id[:8] in result.stderr
    # the same phone or name at this customer names the contact
    result = fails("add", "contact", "Acme", "Dan", "--phone", "139-0000-0003")
    assert 'a contact with the same phone exists: "Carl @ Acme"' in result.stderr
    result = fails("add", "contact", "Acme", "carl")
    assert 'a contact with the same name exists: "Carl @ Acme"' in result.stderr
    assert customer_detail(ctx, globex.id).contacts == []
    assert len(customer_detail(ctx, acme.id).contacts) == 1
    ok("add", "contact", "Globex", "Carla", "--phone", "+86 139 0000 0003", "--force")
    assert [c.name for c in customer_detail(ctx, globex.id).contacts] == ["Carla"]


def test_add_contact_with_the_phone_of_an_existing_lead_is_refused(ctx: Context):
    lead = add_lead(ctx, "张三", phone="13800138000")
    acme = add_customer(ctx, "Acme")
    result = fails("add", "contact", "Acme", "Zhang San", "--phone", "+86 138-0013-8000")
    assert "same phone" in result.stderr and "张三" in result.stderr and lead.id[:8] in result.stderr
    assert customer_detail(ctx, acme.id).contacts == []


def test_add_deal_stores_amount_close_and_stage(ctx: Context):
    add_customer(ctx, "Acme")
    result = ok("add", "deal", "Acme", "CRM seats", "--amount", "12万", "--close", "2026-12-31", "--stage", "needs",
                "--competitor", "Globex")
    assert "added deal CRM seats for Acme in Needs confirmed" in result.stdout
    deals = show("Acme")["deals"]
    assert len(deals) == 1
    d = deals[0]
    assert (d["title"], d["amount"], d["expected_close"], d["stage"], d["competitor"]) == (
        "CRM seats", 120000, "2026-12-31", "needs", "Globex")


def test_add_deal_defaults_to_the_first_stage_and_accepts_a_chinese_close_date(ctx: Context):
    add_customer(ctx, "Acme")
    ok("add", "deal", "Acme", "Support", "--close", "月底")
    (d,) = show("Acme")["deals"]
    assert (d["stage"], d["amount"], d["expected_close"]) == ("initial", None, "2026-11-30")


def test_add_deal_in_quote_keeps_the_amount_as_the_quote(ctx: Context):
    add_customer(ctx, "Acme")
    ok("add", "deal", "Acme", "Seats", "--stage", "quote", "--amount", "50k")
    (d,) = show("Acme")["deals"]
    assert (d["stage"], d["amount"], d["quoted"]) == ("quote", 50000, 50000)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--stage", "won"], "stage:"),
        (["--stage", "lost"], "stage:"),
        (["--stage", "foo"], "stage: one of initial, needs, proposal, quote, negotiation, won, lost"),
        (["--stage", "quote"], "amount"),
        (["--amount", "abc"], "amount:"),
        (["--amount", "-5"], "amount:"),
        (["--close", "下周八"], 'close: could not understand the date "下周八"'),
    ],
)
def test_add_deal_with_bad_input_names_the_field_and_stores_nothing(ctx: Context, args, expected):
    add_customer(ctx, "Acme")
    result = fails("add", "deal", "Acme", "Seats", *args)
    assert expected in result.stderr
    assert list_deals(ctx) == []


def test_add_deal_with_an_empty_title_is_refused(ctx: Context):
    add_customer(ctx, "Acme")
    result = fails("add", "deal", "Acme", "")
    assert result.stderr.startswith("error: title:")
    assert list_deals(ctx) == []


def test_add_to_an_unknown_customer_names_the_reference(ctx: Context):
    result = fails("add", "deal", "Nobody Inc", "Seats")
    assert 'no customer matches "Nobody Inc"' in result.stderr
    result = fails("add", "contact", "Nobody Inc", "Bob")
    assert 'no customer matches "Nobody Inc"' in result.stderr


# ---------------------------------------------------------------- log


def test_log_records_the_follow_up_and_moves_next_and_last_contact(ctx: Context):
    add_customer(ctx, "Acme")
    result = ok("log", "Acme", *LOG_OK, "--next", "明天下午3点")
    assert "logged for Acme; next: Send the quote → Wed 25 Nov 15:00" in result.stdout
    data = show("Acme")
    assert data["next_follow_up"] == "2026-11-25T15:00+08:00"
    assert data["last_contact"] == "2026-11-24T10:00+08:00"
    (f,) = data["follow_ups"]
    assert (f["channel"], f["goal"], f["goal_met"], f["notes"], f["next_plan"], f["next"]) == (
        "phone", "Confirm needs", True, "They want 20 seats", "Send the quote", "2026-11-25T15:00+08:00")


def test_log_not_met_and_channel_aliases(ctx: Context):
    add_customer(ctx, "Acme")
    ok("log", "Acme", "--via", "微信", "--goal", "Demo", "--not-met", "--notes", "n", "--next-plan", "p", "--next", "2026-12-01")
    ok("log", "Acme", "--via", "3", "--goal", "Visit", "--met", "--notes", "n", "--next-plan", "p", "--next", "2026-12-02")
    channels = sorted((f["channel"], f["goal_met"]) for f in show("Acme")["follow_ups"])
    assert channels == [("visit", True), ("wechat", False)]


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("明天下午3点", "2026-11-25T15:00+08:00"),
        ("后天上午10点", "2026-11-26T10:00+08:00"),
        ("下周五", "2026-12-04T09:00+08:00"),
        ("今天下午3点", "2026-11-24T15:00+08:00"),
        ("fri 3pm", "2026-11-27T15:00+08:00"),
        ("tomorrow", "2026-11-25T09:00+08:00"),
        ("2026-12-01", "2026-12-01T09:00+08:00"),
    ],
)
def test_log_next_dates_in_chinese_and_english(ctx: Context, text, stored):
    add_customer(ctx, "Acme")
    ok("log", "Acme", *LOG_OK, "--next", text)
    assert show("Acme")["next_follow_up"] == stored


def test_log_with_every_field_missing_names_each_one_and_stores_nothing(ctx: Context):
    acme = add_customer(ctx, "Acme")
    result = fails("log", "Acme")
    for name in ("channel", "goal", "goal met", "notes", "next plan", "next date"):
        assert name in result.stderr, name
    detail = customer_detail(ctx, acme.id)
    assert detail.follow_ups == []
    assert detail.customer.last_contact_at is None and detail.customer.next_follow_up_at is None


def test_log_with_some_fields_missing_names_only_those(ctx: Context):
    acme = add_customer(ctx, "Acme")
    result = fails("log", "Acme", "--via", "phone", "--goal", "g", "--met")
    assert "notes" in result.stderr and "next plan" in result.stderr and "next date" in result.stderr
    assert "channel" not in result.stderr and "goal met" not in result.stderr
    assert customer_detail(ctx, acme.id).follow_ups == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2020-01-01", 'the date "2020-01-01" is in the past'),
        ("昨天", 'the date "昨天" is in the past'),
        ("今天上午9点", 'the date "今天上午9点" is in the past'),
        ("下周八", 'could not understand the date "下周八"'),
        ("someday", 'could not understand the date "someday"'),
    ],
)
def test_log_with_a_past_or_unreadable_next_quotes_it_and_stores_nothing(ctx: Context, text, message):
    acme = add_customer(ctx, "Acme")
    result = fails("log", "Acme", *LOG_OK, "--next", text)
    assert result.stderr.startswith("error: next date:")
    assert message in result.stderr
    detail = customer_detail(ctx, acme.id)
    assert detail.follow_ups == [] and detail.customer.next_follow_up_at is None


def test_log_with_a_bad_channel_names_the_channel_field(ctx: Context):
    acme = add_customer(ctx, "Acme")
    result = fails("log", "Acme", "--via", "fax", "--goal", "g", "--met", "--notes", "n", "--next-plan", "p", "--next", "明天")
    assert result.stderr.startswith("error: channel:")
    assert "phone, wechat, visit, email, meeting, sms, other" in result.stderr
    assert customer_detail(ctx, acme.id).follow_ups == []


def test_log_for_a_customer_in_the_pool_is_refused(ctx: Context):
    acme = add_customer(ctx, "Acme")
    with ctx.db.raw_write(ctx.clock.utcnow()) as (connection, _outbox):
        # only the team server puts a customer in the pool (a pull writes it like this)
        connection.execute("UPDATE customer SET status = 'pool', owner = NULL WHERE id = ?", (acme.id,))
    result = fails("log", "Acme", *LOG_OK, "--next", "明天")
    assert "public pool" in result.stderr
    assert customer_detail(ctx, acme.id).follow_ups == []


# ---------------------------------------------------------------- stage


@pytest.fixture
def deal(ctx: Context):
    acme = add_customer(ctx, "Acme")
    return add_deal(ctx, acme.id, "CRM seats")


def _deal(ref: str = "Acme") -> dict:
    (d,) = show(ref)["deals"]
    return d


def test_stage_quote_needs_the_amount(deal):
    result = fails("stage", "CRM seats", "quote")
    assert "amount" in result.stderr and "Quote" in result.stderr
    assert _deal()["stage"] == "initial"
    result = ok("stage", "CRM seats", "quote", "--amount", "5万")
    assert "CRM seats (Acme) is now in Quote" in result.stdout
    d = _deal()
    assert (d["stage"], d["amount"], d["quoted"], d["probability"]) == ("quote", 50000, 50000, 60)


def test_stage_won_needs_contract_no_amount_and_signed_and_creates_the_contract(deal):
    result = fails("stage", "CRM seats", "won")
    for name in ("contract-no", "amount", "signed"):
        assert name in result.stderr, name
    data = show("Acme")
    assert data["contracts"] == [] and data["deals"][0]["stage"] == "initial"
    ok("stage", "CRM seats", "won", "--contract-no", "HT-2026-001", "--amount", "12万", "--signed", "2026-11-20",
       "--payment", "60000@2026-12-20", "--payment", "60000@2027-01-20")
    data = show("Acme")
    assert data["status"] == "customer"
    assert data["deals"][0]["stage"] == "won"
    (contract,) = data["contracts"]
    assert (contract["number"], contract["amount"], contract["signed"], contract["end"]) == (
        "HT-2026-001", 120000, "2026-11-20", "2027-11-20")
    assert [(p["amount"], p["due"]) for p in contract["payments"]] == [(60000, "2026-12-20"), (60000, "2027-01-20")]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--signed", "2026-12-20"], "signed: a date that is not in the future"),
        (["--signed", "下周八"], 'signed: could not understand the date "下周八"'),
        (["--signed", "2026-11-20", "--end", "2026-11-01"], "end: a date after the signed date"),
        (["--signed", "2026-11-20", "--payment", "5000"], "payment: AMOUNT@DATE"),
        (["--signed", "2026-11-20", "--payment", "5000@下周八"], "payment due date:"),
        (["--signed", "2026-11-20", "--payment", "lots@2026-12-01"], "payment amount:"),
    ],
)
def test_stage_won_with_bad_input_names_the_field_and_stores_nothing(deal, args, expected):
    result = fails("stage", "CRM seats", "won", "--contract-no", "HT-1", "--amount", "1万", *args)
    assert expected in result.stderr
    data = show("Acme")
    assert data["contracts"] == []
    assert data["status"] == "prospect"
    assert (data["deals"][0]["stage"], data["deals"][0]["amount"]) == ("initial", None)


def test_stage_won_with_a_used_contract_number_is_refused(ctx: Context, deal):
    move_stage(ctx, deal.id, "won", contract_no="HT-1", amount="1万", signed="2026-11-20")
    other = add_deal(ctx, deal.customer_id, "Support", amount="5000")
    result = fails("stage", "Support", "won", "--contract-no", "HT-1", "--signed", "2026-11-21")
    assert "contract-no" in result.stderr
    assert len(show("Acme")["contracts"]) == 1
    assert [d.stage for d, _c in list_deals(ctx) if d.id == other.id] == ["initial"]


def test_stage_lost_needs_a_reason(deal):
    result = fails("stage", "CRM seats", "lost")
    assert "reason" in result.stderr
    assert _deal()["stage"] == "initial"
    ok("stage", "CRM seats", "lost", "--reason", "price")
    d = _deal()
    assert (d["stage"], d["lost_reason"]) == ("lost", "price")


def test_stage_unknown_names_the_choices(deal):
    result = fails("stage", "CRM seats", "closed")
    assert "stage: one of initial, needs, proposal, quote, negotiation, won, lost" in result.stderr
    assert _deal()["stage"] == "initial"


def test_stage_to_the_current_stage_is_refused(deal):
    result = fails("stage", "CRM seats", "initial")
    assert result.stderr.startswith("error: stage:")


def test_stage_accepts_the_chinese_name(deal):
    ok("stage", "CRM seats", "方案")
    assert _deal()["stage"] == "proposal"


def test_moving_forward_schedules_a_follow_up_when_none_is_pending(deal):
    assert show("Acme")["next_follow_up"] is None
    ok("stage", "CRM seats", "needs")
    # stage_follow_up_days (2) later at default_time (09:00)
    assert show("Acme")["next_follow_up"] == "2026-11-26T09:00+08:00"


def test_moving_forward_keeps_a_pending_follow_up(deal):
    ok("log", "Acme", *LOG_OK, "--next", "2026-12-01 10:00")
    ok("stage", "CRM seats", "proposal")
    assert show("Acme")["next_follow_up"] == "2026-12-01T10:00+08:00"


def test_moving_to_lost_schedules_nothing(deal):
    ok("stage", "CRM seats", "lost", "--reason", "timing")
    assert show("Acme")["next_follow_up"] is None


# ---------------------------------------------------------------- convert


def test_convert_turns_a_lead_into_customer_contact_and_deal(ctx: Context):
    add_lead(ctx, "张三", company="某某科技", phone="13800138000", interest="CRM seats")
    result = ok("convert", "zs", "--amount", "3万")
    assert "converted: customer 某某科技, contact 张三, deal CRM seats" in result.stdout
    assert names("leads") == []
    data = show("某某科技")
    assert (data["status"], data["kind"]) == ("prospect", "company")
    assert [(c["name"], c["phone"]) for c in data["contacts"]] == [("张三", "13800138000")]
    assert [(d["title"], d["stage"], d["amount"]) for d in data["deals"]] == [("CRM seats", "initial", 30000)]


def test_convert_with_a_title_names_the_deal(ctx: Context):
    add_lead(ctx, "Bob Smith")
    ok("convert", "Bob", "--title", "Pilot")
    data = show("Bob Smith")
    assert data["status"] == "prospect"
    assert [d["title"] for d in data["deals"]] == ["Pilot"]


def test_convert_of_a_non_lead_is_refused(ctx: Context):
    add_customer(ctx, "Acme")
    result = fails("convert", "Acme")
    assert 'no lead matches "Acme"' in result.stderr
    assert show("Acme")["deals"] == []


@pytest.mark.parametrize(("args", "field"), [(["--amount", "abc"], "amount"), (["--title", "a\nb"], "deal title")])
def test_convert_with_bad_input_changes_nothing(ctx: Context, args, field):
    add_lead(ctx, "Li Lei", company="LiCo", interest="Seats")
    result = fails("convert", "Li Lei", *args)
    assert result.stderr.startswith(f"error: {field}:")
    assert names("leads") == ["Li Lei"]
    assert names("customers") == []
    assert list_deals(ctx) == []
    assert show("Li Lei")["contacts"] == []


# ---------------------------------------------------------------- edit


def test_edit_customer_fields_and_tags(ctx: Context):
    add_customer(ctx, "Acme", phone="13800138000", tags=["old"])
    result = ok("edit", "Acme", "--phone", "13700000000", "--email", "hi@acme.com", "--tier", "a", "--region", "上海",
                "--status", "customer", "--tag", "VIP", "--tag", "重点")
    assert "updated Acme: Phone, Email, Region, Tier, Status, Tags\n" in result.stdout  # the fields' labels, not keys
    data = show("Acme")
    assert (data["phone"], data["email"], data["tier"], data["region"], data["status"]) == (
        "13700000000", "hi@acme.com", "A", "上海", "customer")
    assert sorted(data["tags"]) == ["VIP", "重点"]


def test_edit_deal_fields(ctx: Context, deal):
    result = ok("edit", "CRM seats", "--amount", "3万", "--close", "2026-12-31", "--competitor", "Globex", "--title", "CRM seats v2")
    assert "updated deal CRM seats v2: Title, Amount, Close date, Competitor\n" in result.stdout
    d = _deal()
    assert (d["title"], d["amount"], d["expected_close"], d["competitor"]) == ("CRM seats v2", 30000, "2026-12-31", "Globex")


def test_edit_customer_and_deal_fields_at_once_is_refused(ctx: Context, deal):
    result = fails("edit", "Acme", "--phone", "13700000000", "--amount", "5")
    assert "customer fields (phone)" in result.stderr and "deal fields (amount)" in result.stderr
    data = show("Acme")
    assert data["phone"] is None and data["deals"][0]["amount"] is None


def test_edit_without_a_field_is_refused(ctx: Context):
    add_customer(ctx, "Acme")
    result = fails("edit", "Acme")
    assert "give at least one field" in result.stderr


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--phone", "13711112222", "--email", "bad"], "email"),
        (["--email", "hi@acme.com", "--phone", "abc"], "phone"),
        (["--tier", "Z"], "tier"),
        (["--status", "sleeping"], "status"),
        (["--name", ""], "name"),
        (["--tag", "a\nb", "--phone", "13711112222"], "tag"),
    ],
)
def test_edit_customer_with_bad_input_names_the_field_and_stores_nothing(ctx: Context, args, field):
    add_customer(ctx, "Acme", phone="13800138000", tags=["keep"])
    result = fails("edit", "Acme", *args)
    assert result.stderr.startswith(f"error: {field}:")
    data = show("Acme")
    assert (data["name"], data["phone"], data["email"], data["tier"], data["status"], data["tags"]) == (
        "Acme", "13800138000", None, "C", "prospect", ["keep"])


@pytest.mark.parametrize(
    ("args", "field"),
    [(["--amount", "abc"], "amount"), (["--close", "下周八"], "close"), (["--title", " "], "title")],
)
def test_edit_deal_with_bad_input_names_the_field_and_stores_nothing(ctx: Context, deal, args, field):
    result = fails("edit", "CRM seats", *args)
    assert result.stderr.startswith(f"error: {field}:")
    d = _deal()
    assert (d["title"], d["amount"], d["expected_close"]) == ("CRM seats", None, None)


def test_edit_into_a_duplicate_is_refused_unless_forced(ctx: Context):
    first = add_customer(ctx, "Acme", phone="13800138000")
    add_customer(ctx, "Globex")
    result = fails("edit", "Globex", "--phone", "+86 138 0013 8000")
    assert "same phone" in result.stderr and "Acme" in result.stderr and first.id[:8] in result.stderr
    assert show("Globex")["phone"] is None
    ok("edit", "Globex", "--phone", "+86 138 0013 8000", "--force")
    assert show("Globex")["phone"] == "+86 138 0013 8000"


def test_edit_name_to_only_punctuation_is_refused(ctx: Context):
    add_customer(ctx, "Acme")
    result = fails("edit", "Acme", "--name", "!!!")
    assert result.stderr.startswith("error: name:")
    assert names() == ["Acme"]


# ---------------------------------------------------------------- rm


def test_rm_without_yes_and_no_terminal_refuses_and_deletes_nothing(ctx: Context, deal):
    result = fails("rm", "Acme")
    assert "--yes" in result.stderr
    assert names() == ["Acme"]
    # typed input is no confirmation when stdin is not a terminal
    result = fails("rm", "Acme", input="y\n")
    assert names() == ["Acme"]
    result = fails("rm", "CRM seats")
    assert "--yes" in result.stderr
    assert len(list_deals(ctx)) == 1


def test_rm_customer_with_yes_deletes_it_with_its_contacts_and_deals(ctx: Context, deal):
    add_customer(ctx, "Globex")
    add_contact(ctx, deal.customer_id, "Bob", phone="13900000009")
    result = ok("rm", "Acme", "--yes")
    assert "deleted customer Acme" in result.stdout
    assert names() == ["Globex"]
    assert listed("deals") == []
    # the deleted contact's phone no longer counts as a duplicate
    ok("add", "lead", "Bob", "--phone", "13900000009")


def test_rm_deal_with_yes_deletes_only_the_deal(ctx: Context, deal):
    result = ok("rm", "CRM seats", "-y")
    assert "deleted deal CRM seats" in result.stdout
    assert listed("deals") == []
    assert names() == ["Acme"]


def test_rm_deal_flag_picks_the_deal_over_a_customer(ctx: Context):
    acme = add_customer(ctx, "Acme")
    add_deal(ctx, acme.id, "Acme renewal")
    ok("rm", "Acme renewal", "--deal", "--yes")
    assert names() == ["Acme"] and listed("deals") == []


def test_rm_of_nothing_names_the_reference(ctx: Context):
    add_customer(ctx, "Acme")
    result = fails("rm", "Nothing here", "--yes")
    assert '"Nothing here"' in result.stderr
    assert names() == ["Acme"]


# ---------------------------------------------------------------- merge


def test_merge_moves_contacts_deals_and_follow_ups(ctx: Context):
    keep = add_customer(ctx, "Acme", phone="13800138000")
    other = add_customer(ctx, "Acme Dup", email="x@acme.com")
    add_contact(ctx, other.id, "Bob", phone="13900000000")
    add_deal(ctx, other.id, "Seats")
    log_follow_up(ctx, other.id, channel="phone", goal="g", goal_met=True, notes="dup note", next_plan="p",
                  next_at="2026-12-01")
    result = fails("merge", "Acme", "Acme Dup")
    assert "--yes" in result.stderr
    assert names() == ["Acme", "Acme Dup"]
    result = ok("merge", "Acme", "Acme Dup", "--yes")
    assert "merged Acme Dup into Acme" in result.stdout
    assert names() == ["Acme"]
    data = show("Acme")
    assert data["id"] == keep.id
    assert data["email"] == "x@acme.com"  # an empty field filled from the other
    # the other's differing name is kept as a contact (see docs/merge.md)
    assert [c["name"] for c in data["contacts"]] == ["Acme Dup", "Bob"]
    assert [d["title"] for d in data["deals"]] == ["Seats"]
    assert [f["notes"] for f in data["follow_ups"]] == ["dup note"]
    assert data["next_follow_up"] == "2026-12-01T09:00+08:00"


def test_merge_with_itself_or_an_unknown_customer_is_refused(ctx: Context):
    add_customer(ctx, "Acme")
    result = fails("merge", "Acme", "Acme", "--yes")
    assert "merge" in result.stderr
    result = fails("merge", "Acme", "Nobody", "--yes")
    assert 'no customer matches "Nobody"' in result.stderr
    assert names() == ["Acme"]


# ---------------------------------------------------------------- references


def test_a_reference_may_be_an_id_prefix_a_fragment_or_pinyin_initials(ctx: Context):
    acme = add_customer(ctx, "Acme Analytics")
    add_lead(ctx, "张三")
    assert show(acme.id[:8])["name"] == "Acme Analytics"
    assert show(acme.id)["name"] == "Acme Analytics"
    assert show("analytics")["name"] == "Acme Analytics"
    assert show("zs")["name"] == "张三"
    assert show("zhangsan")["name"] == "张三"


def test_a_deal_reference_may_be_an_id_prefix_title_or_customer_pinyin(ctx: Context):
    lead = add_lead(ctx, "张三")
    first = add_deal(ctx, lead.id, "Seats")
    ok("stage", first.id[:8], "needs")
    ok("stage", "seat", "proposal")
    ok("stage", "zs", "negotiation", "--quoted", "5万")  # past Quote: its quoted amount
    assert _deal("zs")["stage"] == "negotiation"


def test_an_ambiguous_customer_lists_the_matches_and_exits_3(ctx: Context):
    east = add_customer(ctx, "Acme East")
    west = add_customer(ctx, "Acme West")
    for args in (["show", "Acme"], ["log", "Acme", *LOG_OK, "--next", "明天"], ["add", "deal", "Acme", "Seats"],
                 ["edit", "Acme", "--phone", "13800138000"], ["rm", "Acme", "--yes"]):
        result = fails(*args, code=3)
        assert '"Acme" matches 2 customers' in result.stderr
        assert f"{east.id[:8]}  Acme East" in result.stderr
        assert f"{west.id[:8]}  Acme West" in result.stderr
    assert names() == ["Acme East", "Acme West"]
    assert list_deals(ctx) == []
    assert customer_detail(ctx, east.id).follow_ups == [] and customer_detail(ctx, west.id).follow_ups == []
    assert show("Acme East")["phone"] is None and show("Acme West")["phone"] is None


def test_an_exact_name_wins_over_a_longer_one(ctx: Context):
    add_customer(ctx, "Acme")
    add_customer(ctx, "Acme East")
    assert show("Acme")["name"] == "Acme"
    assert show("acme")["name"] == "Acme"


def test_an_ambiguous_deal_lists_the_matches_and_exits_3(ctx: Context):
    a = add_customer(ctx, "Acme")
    g = add_customer(ctx, "Globex")
    d1 = add_deal(ctx, a.id, "Seats 2026")
    d2 = add_deal(ctx, g.id, "Seats 2027")
    result = fails("stage", "Seats", "needs", code=3)
    assert '"Seats" matches 2 deals' in result.stderr
    assert d1.id[:8] in result.stderr and "Seats 2026 @ Acme" in result.stderr
    assert d2.id[:8] in result.stderr and "Seats 2027 @ Globex" in result.stderr
    assert sorted(d.stage for d, _c in list_deals(ctx)) == ["initial", "initial"]


def test_an_unknown_reference_is_named(ctx: Context):
    result = fails("show", "Nobody")
    assert 'no customer matches "Nobody"' in result.stderr
    result = fails("stage", "Nothing", "needs")
    assert 'no deal matches "Nothing"' in result.stderr
    # a command taking either names both when neither is found (a deleted customer is not "no deal")
    for command in (("history", "Nothing"), ("rm", "Nothing", "--yes")):
        assert 'no customer or deal matches "Nothing"' in fails(*command).stderr


# ---------------------------------------------------------------- today / show / list / search


def test_today_on_an_empty_database_says_nothing_is_due():
    result = ok("today")
    assert "Today, 2026-11-24" in result.stdout
    assert "Nothing due" in result.stdout
    assert ok().stdout == result.stdout  # `crm` alone, not at a terminal, prints today's agenda


def test_today_lists_each_section(ctx: Context, frozen):
    frozen.move_to(datetime(2026, 11, 10, 10, 0, tzinfo=ZONE))
    stalled = add_customer(ctx, "Stalled Co")
    move_stage(ctx, add_deal(ctx, stalled.id, "Big deal", amount="20万").id, "proposal")
    frozen.move_to(datetime(2026, 11, 20, 10, 0, tzinfo=ZONE))
    late = add_customer(ctx, "Late Co")
    log_follow_up(ctx, late.id, channel="phone", goal="g", goal_met=True, notes="n", next_plan="Call back",
                  next_at="2026-11-22 15:00")
    add_lead(ctx, "Old Lead")
    frozen.move_to(datetime(2026, 11, 24, 10, 0, tzinfo=ZONE))
    add_lead(ctx, "Fresh Lead")
    add_customer(ctx, "Due Co")
    ok("log", "Due Co", "--via", "phone", "--goal", "g", "--met", "--notes", "n", "--next-plan", "Send quote",
       "--next", "今天下午3点")
    renew = add_customer(ctx, "Renew Co")
    move_stage(ctx, add_deal(ctx, renew.id, "Support", amount="1万").id, "won", contract_no="HT-R", signed="2025-12-10",
               end="2026-12-10", payments=[PaymentPlan("1万", "2026-12-10")])
    bday = add_customer(ctx, "Bday Co")
    add_contact(ctx, bday.id, "Wang Wu", birthday="1985-11-26")
    pay = add_customer(ctx, "Pay Co")
    ok("add", "deal", "Pay Co", "Licences", "--amount", "8000")
    ok("stage", "Licences", "won", "--contract-no", "HT-P", "--signed", "2026-11-01", "--payment", "5000@2026-11-28",
       "--yes")  # the remaining 3,000 falls due 2026-12-28, after the window

    data = json.loads(ok("today", "--json").stdout)
    assert data["day"] == "2026-11-24"
    sections = data["sections"]
    assert set(sections) == {"overdue", "due", "stalled", "new_leads", "pool", "renewals", "payments", "birthdays",
                             "coming", "escalated", "tickets", "revisits", "touch", "service", "holidays"}
    assert sections["pool"] == []  # not in a team: no pool rules
    assert sections["coming"] == []  # a busy day does not look ahead
    by = {name: {item["customer"]: item for item in items} for name, items in sections.items()}
    assert set(by["overdue"]) == {"Stalled Co", "Late Co"}
    assert by["overdue"]["Late Co"]["days"] == 2
    assert by["overdue"]["Late Co"]["next_plan"] == "Call back"
    assert list(by["due"]) == ["Due Co"]
    assert by["due"]["Due Co"]["when"] == "2026-11-24T15:00:00+08:00"
    assert by["due"]["Due Co"]["next_plan"] == "Send quote"
    assert list(by["stalled"]) == ["Stalled Co"]
    assert by["stalled"]["Stalled Co"]["amount"] == 200000
    assert list(by["new_leads"]) == ["Old Lead"]
    assert list(by["renewals"]) == ["Renew Co"] and by["renewals"]["Renew Co"]["days"] == 16
    assert list(by["payments"]) == ["Pay Co"]
    assert (by["payments"]["Pay Co"]["days"], by["payments"]["Pay Co"]["amount"]) == (4, 5000)
    assert list(by["birthdays"]) == ["Bday Co"] and by["birthdays"]["Bday Co"]["days"] == 2
    assert pay.id == by["payments"]["Pay Co"]["customer_id"]

    # the same agenda as the service computes
    agenda = agenda_for(ctx)
    assert {n: sorted(i.customer_name for i in agenda.sections[n]) for n in agenda.sections} == {
        n: sorted(i["customer"] for i in items) for n, items in sections.items()}

    text = ok("today").stdout
    for line in ("Today, 2026-11-24", "Overdue (2)", "Due today (1)", "High intent, stalled (1)",
                 "New leads to call now (1)", "Renewals (1)", "Payments due (1)", "Birthdays (1)",
                 "Due Co  ·  due today 15:00  ·  → Send quote", "Late Co  ·  overdue 2 d  ·  → Call back"):
        assert line in text, line
    assert "Fresh Lead" not in text


def test_show_prints_the_customer_and_its_records(ctx: Context, deal):
    add_contact(ctx, deal.customer_id, "Bob", title="CTO", phone="13900000000", decision_maker=True)
    ok("log", "Acme", *LOG_OK, "--next", "明天下午3点")
    text = ok("show", "Acme").stdout
    assert text.startswith("Acme  [prospect]  tier ")
    for piece in ("next follow-up: Wed 25 Nov 15:00", "Contacts (1)", "Bob  CTO  13900000000", "decision maker",
                  "Deals (1)", "CRM seats  Initial contact (0 d)", "Follow-ups (1)", "They want 20 seats",
                  "→ Send the quote  Wed 25 Nov 15:00"):
        assert piece in text, piece


def test_list_customers_leads_and_deals(ctx: Context, deal):
    add_lead(ctx, "Lead One")
    text = ok("list", "customers").stdout
    assert "Acme  ·  prospect" in text and "Lead One" not in text
    assert "Lead One  ·  lead" in ok("list", "leads").stdout
    text = ok("list", "deals").stdout
    assert "Acme  ·  CRM seats  ·  Initial contact 0 d" in text
    (row,) = listed("deals")
    assert (row["title"], row["customer"], row["stage"]) == ("CRM seats", "Acme", "initial")


def test_list_of_nothing_says_none():
    assert ok("list", "customers").stdout == "(none)\n"
    assert ok("list", "deals").stdout == "(none)\n"


def test_list_of_an_unknown_kind_is_an_error():
    result = fails("list", "contacts")
    assert "customers, leads or deals" in result.stderr and "contacts" in result.stderr


def test_search_by_pinyin_initials_phone_and_notes(ctx: Context):
    zs = add_lead(ctx, "张三", phone="13800138000")
    add_customer(ctx, "李四")
    log_follow_up(ctx, zs.id, channel="phone", goal="g", goal_met=True, notes="wants a discount", next_plan="p",
                  next_at="2026-12-01")
    hits = json.loads(ok("search", "zs", "--json").stdout)
    assert [(h["kind"], h["customer"]) for h in hits] == [("customer", "张三")]
    assert hits[0]["customer_id"] == zs.id
    hits = json.loads(ok("search", "138 0013", "--json").stdout)
    assert [h["customer"] for h in hits] == ["张三"]
    hits = json.loads(ok("search", "discount", "--json").stdout)
    assert [(h["kind"], h["customer"]) for h in hits] == [("follow_up", "张三")]
    text = ok("search", "zs").stdout
    assert f"{zs.id[:8]}  张三  ·  lead" in text  # --json keeps the kind; the text says what it is


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ('"', ['a"b Trading']),
        ("*", ["Star*Bank"]),
        ("[bold]", ["[bold]x[/]"]),
        ("OR", ["ORACLE Systems"]),
        ('a"b', ['a"b Trading']),
        ("a OR b", []),
        ('x" OR "y', []),
        ("NEAR(x", []),
        ("col:xyz", []),
        ("%", []),
        ("_", []),
        ("\\", []),
        ("", []),
    ],
)
def test_search_input_is_literal_and_never_an_error(ctx: Context, query, found):
    for name in ('a"b Trading', "Star*Bank", "[bold]x[/]", "ORACLE Systems", "Plain Co"):
        add_customer(ctx, name)
    hits = json.loads(ok("search", query, "--json").stdout)
    assert sorted(h["customer"] for h in hits) == found
    text = ok("search", query).stdout
    if found:
        assert all(name in text for name in found)
    else:
        assert text == f'no match for "{query}"\n'


# ---------------------------------------------------------------- --json


@pytest.mark.parametrize(
    "args",
    [["today", "--json"], ["show", "Acme", "--json"], ["search", "Acme", "--json"], ["list", "customers", "--json"],
     ["list", "deals", "--json"], ["list", "leads", "--json"]],
)
def test_json_output_is_machine_readable_only(ctx: Context, args):
    acme = add_customer(ctx, "Acme", phone="13800138000")
    add_deal(ctx, acme.id, "Seats", amount="1万")
    add_lead(ctx, "Lead One")
    result = ok(*args)
    data = json.loads(result.stdout)
    assert isinstance(data, (dict, list)) and data
    assert result.stderr == ""


def test_json_keeps_markup_and_escapes_literally(ctx: Context):
    add_customer(ctx, "[bold]x[/]")
    add_customer(ctx, "\x1b[31mred")
    assert names() == sorted(["[bold]x[/]", "\x1b[31mred"])
    assert "\x1b" not in ok("list", "customers", "--json").stdout


def test_json_output_has_no_raw_c1_control_characters(ctx: Context):
    add_customer(ctx, "bell\x9b2J")
    out = ok("list", "customers", "--json").stdout
    assert json.loads(out)[0]["name"] == "bell\x9b2J"
    assert not any(0x80 <= ord(ch) <= 0x9F or ord(ch) == 0x7F for ch in out)


# ---------------------------------------------------------------- markup / control characters / colour


def test_markup_and_control_characters_are_printed_literally(ctx: Context):
    add_customer(ctx, "[bold]x[/]")
    add_customer(ctx, "\x1b[31mred")
    add_customer(ctx, "bell\x07x\x9b")
    text = ok("list", "customers").stdout
    assert "[bold]x[/]" in text
    assert "\\x1b[31mred" in text
    assert "bell\\x07x\\x9b" in text
    assert not any(ord(ch) < 0x20 and ch != "\n" or 0x7F <= ord(ch) <= 0x9F for ch in text)
    assert "\\x1b[31mred  [prospect]" in ok("show", "red").stdout
    assert "[bold]x[/]  [prospect]" in ok("show", "bold").stdout
    assert "\\x1b[31mred" in ok("search", "red").stdout


def test_control_characters_in_an_error_message_are_made_visible():
    result = fails("show", "\x1b[2Jgone")
    assert "\\x1b[2Jgone" in result.stderr
    assert "\x1b" not in result.stderr


COLOUR_ENV = {"NO_COLOR": "1", "FORCE_COLOR": "1", "TERM": "xterm-256color", "COLUMNS": "100"}


@pytest.mark.parametrize(
    "args",
    [["--help"], ["add", "lead", "--help"], ["list", "customers"], ["today"], ["show", "Acme"], ["search", "Acme"],
     ["show", "Nobody"], ["log", "Acme"], ["bogus"]],
)
def test_no_color_means_no_ansi_escape(ctx: Context, args):
    add_customer(ctx, "Acme")
    add_customer(ctx, "[red]Globex[/red]")
    result = crm(*args, env=COLOUR_ENV, color=True)
    assert "\x1b" not in result.stdout and "\x1b" not in result.stderr
    assert result.output.strip()


# ---------------------------------------------------------------- --help


@pytest.mark.parametrize(
    "args",
    [[], ["add"], ["add", "lead"], ["add", "customer"], ["add", "contact"], ["add", "deal"], ["log"], ["stage"],
     ["convert"], ["edit"], ["rm"], ["merge"], ["today"], ["show"], ["search"], ["list"], ["backup"], ["restore"],
     ["demo"]],
)
def test_help_works_on_every_command(args):
    result = ok(*args, "--help")
    assert result.stdout.startswith("Usage: crm")
    if args:
        assert " ".join(args) in result.stdout.splitlines()[0]


def test_unknown_command_is_a_usage_error():
    result = fails("bogus", code=2)
    assert "No such command" in result.stderr


def test_bad_config_names_the_setting(home: Path):
    (home / "config" / "config.toml").write_text('timezone = "Asia/Shanghai"\nstall_days = -1\n', encoding="utf-8")
    result = fails("list", "customers")
    assert "config stall_days" in result.stderr


# ---------------------------------------------------------------- demo


def _fresh_home(root: Path) -> Path:
    (root / "config").mkdir(parents=True)
    (root / "config" / "config.toml").write_text('timezone = "Asia/Shanghai"\nlanguage = "en"\n', encoding="utf-8")
    return root


def test_demo_fills_an_empty_database_deterministically_and_refuses_a_second_time(tmp_path: Path):
    result = ok("demo")
    assert "demo data loaded: 260 customers" in result.stdout
    customers, leads = listed("customers"), listed("leads")
    assert len(customers) + len(leads) == 260
    assert 150 <= len(customers) and leads
    assert listed("deals")
    agenda = json.loads(ok("today", "--json").stdout)
    assert sum(len(items) for items in agenda["sections"].values()) > 0

    other = {"CRMTUI_HOME": str(_fresh_home(tmp_path / "other-home"))}
    ok("demo", env=other)
    other_customers = json.loads(ok("list", "customers", "--json", env=other).stdout)
    assert [c["name"] for c in other_customers] == [c["name"] for c in customers]
    other_leads = json.loads(ok("list", "leads", "--json", env=other).stdout)
    assert [c["name"] for c in other_leads] == [c["name"] for c in leads]

    result = fails("demo")
    assert "already has data" in result.stderr
    assert len(listed("customers")) + len(listed("leads")) == 260


def test_demo_refuses_a_database_with_one_customer(ctx: Context):
    add_customer(ctx, "Acme")
    result = fails("demo")
    assert "already has data" in result.stderr
    assert everyone() == ["Acme"]


# ---------------------------------------------------------------- backup / restore


def test_backup_then_restore_round_trip(home: Path):
    ok("add", "customer", "Before")
    target = home / "copy.db"
    result = ok("backup", str(target))
    assert str(target) in result.stdout and target.is_file()
    ok("add", "customer", "After")
    assert names() == ["After", "Before"]

    result = fails("restore", str(target))
    assert "--yes" in result.stderr
    assert names() == ["After", "Before"]

    result = ok("restore", str(target), "--yes")
    assert "restored from" in result.stdout
    assert names() == ["Before"]
    saved = list((home / "data" / "backups").glob("*before-restore*.db"))
    assert len(saved) == 1
    assert str(saved[0]) in result.stdout
    with sqlite3.connect(saved[0]) as conn:
        assert sorted(r[0] for r in conn.execute("SELECT name FROM customer")) == ["After", "Before"]


def test_backup_into_a_folder_names_a_new_file(home: Path):
    ok("add", "customer", "Acme")
    folder = home / "copies"
    folder.mkdir()
    result = ok("backup", str(folder))
    (written,) = folder.iterdir()
    assert written.suffix == ".db" and str(written) in result.stdout


def test_backup_to_an_existing_file_is_refused(home: Path):
    ok("add", "customer", "Acme")
    target = home / "exists.db"
    target.write_bytes(b"precious")
    result = fails("backup", str(target))
    assert result.stderr.startswith("error: path:")
    assert target.read_bytes() == b"precious"


def test_backup_without_a_database_is_refused(home: Path):
    result = fails("backup", str(home / "copy.db"))
    assert "no database" in result.stderr
    assert not (home / "copy.db").exists()


@pytest.mark.parametrize("where", ["under-a-file", "unwritable"])
def test_backup_to_an_impossible_path_fails_with_a_message(home: Path, where):
    if where == "unwritable" and not sys.platform.startswith("linux"):
        pytest.skip("needs /proc")
    ok("add", "customer", "Acme")
    target = home / "config" / "config.toml" / "copy.db" if where == "under-a-file" else Path("/proc/crmtui-copy.db")
    result = fails("backup", str(target))
    assert result.stderr.startswith("error: ")
    assert "copy.db" in result.stderr


@pytest.mark.parametrize("kind", ["text", "empty", "missing", "truncated", "folder", "newer-schema"])
def test_restore_of_a_bad_file_is_refused_and_data_is_untouched(home: Path, kind):
    ok("add", "customer", "Acme")
    source = home / f"bad-{kind}.db"
    if kind == "text":
        source.write_text("hello, not a database", encoding="utf-8")
    elif kind == "empty":
        source.write_bytes(b"")
    elif kind == "truncated":
        good = home / "good.db"
        ok("backup", str(good))
        data = good.read_bytes()
        source.write_bytes(data[: len(data) // 2])
    elif kind == "folder":
        source.mkdir()
    elif kind == "newer-schema":
        ok("backup", str(source))
        with sqlite3.connect(source) as conn:
            conn.execute("UPDATE alembic_version SET version_num = '9999'")
    result = fails("restore", str(source), "--yes")
    assert result.stderr.startswith("error: path:")
    assert names() == ["Acme"]
    assert not list((home / "data").glob("backups/*before-restore*"))


def test_two_restores_keep_both_pre_restore_copies(home: Path):
    ok("add", "customer", "One")
    target = home / "copy.db"
    ok("backup", str(target))
    ok("add", "customer", "Two")
    ok("restore", str(target), "--yes")
    ok("add", "customer", "Three")
    ok("restore", str(target), "--yes")
    saved = sorted((home / "data" / "backups").glob("*before-restore*.db"))
    contents = []
    for path in saved:
        with sqlite3.connect(path) as conn:
            contents.append(sorted(r[0] for r in conn.execute("SELECT name FROM customer")))
    assert ["One", "Two"] in contents
    assert ["One", "Three"] in contents


def test_a_damaged_database_file_gives_a_message_not_a_traceback(home: Path):
    (home / "data").mkdir()
    (home / "data" / "crm.db").write_text("this is not a database", encoding="utf-8")
    result = fails("list", "customers")
    assert "crm.db" in result.stderr


def test_show_lists_the_industry():
    ok("add", "customer", "上海宏达", "--industry", "制造业")
    assert "  industry: 制造业" in ok("show", "宏达").stdout.splitlines()
