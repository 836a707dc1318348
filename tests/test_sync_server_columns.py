"""What a server not yet upgraded keeps: a change waits when it sets a value in a column the server lacks; an empty
value or a flag left off is no loss (nobody can have set it on that server), so it goes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crmtui.sync.protocol import ServerInfo


def _older_server() -> ServerInfo:
    return ServerInfo(schema_version=8, format_min=1, format_max=1, epoch="e", now=datetime(2026, 11, 24, tzinfo=UTC),
                      manager=False, offset=timedelta(0), columns={"customer": frozenset({"id", "name"})})


def test_a_new_customer_with_its_flags_off_goes_to_an_older_server() -> None:
    assert _older_server().takes("customer", {"name": "Acme", "do_not_contact": False, "service_months": None})


def test_a_value_the_older_server_cannot_keep_waits() -> None:
    server = _older_server()
    assert not server.takes("customer", {"name": "Acme", "do_not_contact": True})
    assert not server.takes("customer", {"service_months": 6})
    assert not server.takes("customer", {"service_months": 0})  # a number, even 0, is a value
    assert not server.takes("ticket", {"title": "Pump"})  # a table it lacks
