"""A quiet Today suggests `crm demo` only on a book the demo would fill: no customer at all, deleted ones included
(the demo refuses those), and no team sync (the sample would go to the team's server)."""

from __future__ import annotations

from pathlib import Path

from crmtui.services.agenda import agenda_for
from crmtui.services.context import Context
from crmtui.services.customers import add_customer, delete_customer

from .test_cli import fails, ok


def test_a_book_whose_customers_were_all_deleted_is_not_offered_the_demo(ctx: Context) -> None:
    customer = add_customer(ctx, "Acme", status="customer")
    delete_customer(ctx, customer.id)
    assert not agenda_for(ctx).items()
    assert agenda_for(ctx).book_empty is False
    text = ok("today").stdout
    assert "Nothing due today." in text and "crm demo" not in text
    # what the suggestion would have led to
    assert "`crm demo` only fills an empty one" in fails("demo").stderr


def test_a_team_laptop_with_nothing_yet_is_not_offered_the_demo(home: Path) -> None:
    assert "crm demo" in ok("today").stdout  # alone, an empty book is offered it
    config = home / "config" / "config.toml"
    config.write_text(config.read_text(encoding="utf-8")
                      + '\n[sync]\nserver = "postgresql://localhost:1/team"\nuser = "wang"\n', encoding="utf-8")
    text = ok("today").stdout
    assert "Nothing due today." in text and "crm demo" not in text
