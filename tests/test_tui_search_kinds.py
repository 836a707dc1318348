"""Search calls each hit what it is: a lead's own record is a lead, not a customer (the app's search dialog and
`crm search`), while --json keeps the record's kind."""

from __future__ import annotations

import json

from textual.widgets import OptionList
from typer.testing import CliRunner

from crmtui.cli.commands import app as cli_app
from crmtui.services.customers import add_customer, add_lead
from crmtui.services.search import search
from crmtui.tui.app import build_app

runner = CliRunner()


async def _settle(pilot):
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_a_hit_on_a_lead_is_called_a_lead(ctx):
    add_lead(ctx, "Wang Lead", company="Acme")
    add_customer(ctx, "Wang Trading")
    assert sorted((hit.customer_name, hit.label()) for hit in search(ctx, "wang")) == [
        ("Wang Lead", "lead"), ("Wang Trading", "customer")]


async def test_the_search_dialog_says_lead_for_a_lead(ctx):
    add_lead(ctx, "Wang Lead", company="Acme")
    add_customer(ctx, "Wang Trading")
    app = build_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await _settle(pilot)
        await pilot.press("slash")
        for character in "wang":
            await pilot.press(character)
        await _settle(pilot)
        results = app.screen.query_one("#results", OptionList)
        rows = sorted(" ".join(str(option.prompt).split()) for option in results.options)
        assert rows == ["Wang Lead lead", "Wang Trading customer"]


def test_crm_search_says_lead_and_its_json_keeps_the_kind(ctx):
    add_lead(ctx, "Wang Lead", company="Acme")
    result = runner.invoke(cli_app, ["search", "Wang"])
    assert result.exit_code == 0, result.stderr
    assert "Wang Lead  ·  lead" in result.stdout
    data = json.loads(runner.invoke(cli_app, ["search", "Wang", "--json"]).stdout)
    assert [hit["kind"] for hit in data] == ["customer"]
