"""The demo sample: realistic, deterministic, a living agenda, and it never touches existing data."""

from __future__ import annotations

import re

import pytest

from crmtui.core.clock import Clock
from crmtui.core.errors import NotAllowed
from crmtui.services.agenda import agenda_for
from crmtui.services.context import open_context
from crmtui.services.customers import add_customer, list_customers
from crmtui.services.deals import list_deals
from crmtui.services.demo import load_demo
from crmtui.services.search import search

from .conftest import ZONE


def _book(ctx) -> list[tuple]:
    """What a rep sees of the sample, ids aside (they are new on every build): customers with their status,
    score, dates and care, then every deal with its stage, amount and when it entered the stage, every revisit
    with the scores it was given, every ticket with its history."""
    from crmtui.services.revisits import revisit_timeline
    from crmtui.services.tickets import list_tickets, ticket_detail

    customers = [(c.name, c.phone, c.status, c.tier, c.score, c.last_contact_at, c.next_follow_up_at,
                  c.service_months, c.service_from, c.warranty_until) for c in list_customers(ctx)]
    deals = sorted((c.name, d.title, d.stage, d.amount_cents, d.stage_entered_at) for d, c in list_deals(ctx))
    revisits = [(c.name, r.due_on, r.purpose, r.channel, r.done_at, r.satisfaction, r.nps)
                for c in list_customers(ctx) for r in revisit_timeline(ctx, c.id).revisits]
    tickets = []
    for view in list_tickets(ctx, statuses=None):
        _view, events = ticket_detail(ctx, view.id)
        tickets.append((view.number, view.customer_name, view.title, view.kind, view.priority, view.status,
                        view.opened_at, view.resolve_by, view.closed_at, view.resolution, view.satisfaction,
                        [(e.at, e.from_status, e.to_status, e.note) for e in events]))
    return customers + deals + revisits + sorted(tickets)


def test_demo_fills_an_empty_database_with_a_living_sample(ctx, tmp_path, settings):
    counts = load_demo(ctx)
    customers = list_customers(ctx)
    assert counts["customers"] == len(customers) == 200 + 60  # the six months' sample and the year of history
    assert counts["follow_ups"] > 800 and counts["contacts"] > 250
    names = [c.name for c in customers]
    assert len(set(names)) == len(names)
    assert sum(bool(re.search(r"[\u4e00-\u9fff]", n)) for n in names) > 80
    assert sum(n.isascii() for n in names) > 50
    assert {d.stage for d, _ in list_deals(ctx)} == {s.key for s in ctx.settings.stages}
    agenda = agenda_for(ctx)
    for section in ("overdue", "due", "stalled", "new_leads"):
        assert agenda.sections[section], section
    # pinyin keys were computed for the sample: each city's pinyin, written out by hand (重庆, 长沙 and 厦门
    # begin with characters that have two readings), finds every company named after that city and
    # nothing that is not in that city (by name, region, or a lead's company)
    by_id = {c.id: c for c in customers}
    for city, spelled in (("北京", "beijing"), ("重庆", "chongqing"), ("长沙", "changsha"), ("厦门", "xiamen")):
        named = {c.id for c in customers if c.name.startswith(city) and c.status != "lead"}
        found = {h.customer_id for h in search(ctx, spelled, limit=500) if h.kind == "customer"}
        assert named and named <= found, city
        where = {i: (by_id[i].name, by_id[i].region or "", by_id[i].company or "") for i in found}
        assert all(any(city in text for text in texts) for texts in where.values()), where

    # as in a rep's book, most open deals close ahead (their close date moved on as they slipped), a few are late
    today = ctx.clock.now().date()
    closes = [d.expected_close for d, _ in list_deals(ctx) if d.stage not in ("won", "lost")]
    late = sum(close < today for close in closes)
    assert closes and 0 < late < len(closes) / 3, (late, len(closes))

    other = open_context(tmp_path / "second.db", settings=settings, clock=Clock(ZONE))
    try:
        assert load_demo(other) == counts
        assert _book(other) == _book(ctx)
    finally:
        other.close()

    with pytest.raises(NotAllowed, match="already has data"):
        load_demo(ctx)


def test_demo_refuses_a_database_with_one_customer(ctx):
    add_customer(ctx, "Mine")
    with pytest.raises(NotAllowed):
        load_demo(ctx)
    assert [c.name for c in list_customers(ctx)] == ["Mine"]


def test_demo_refuses_a_team_laptop_and_writes_nothing(tmp_path, settings):
    from dataclasses import replace

    from crmtui.core.config import SyncSettings
    from crmtui.services.context import open_context

    team = replace(settings, sync=SyncSettings(server="postgresql://db.example.com/team", user="wang"))
    laptop = open_context(tmp_path / "team.db", settings=team)
    try:
        assert laptop.settings.sync.configured
        with pytest.raises(NotAllowed, match="team server"):
            load_demo(laptop)
        assert list_customers(laptop) == []
    finally:
        laptop.close()


def test_demo_is_the_same_sample_at_any_hour_of_one_day(tmp_path, settings, frozen):
    from datetime import datetime

    from crmtui.services.customers import customer_detail

    samples = []
    for hour, minute in ((0, 5), (8, 30), (23, 55)):
        frozen.move_to(datetime(2026, 11, 24, hour, minute, tzinfo=ZONE))
        ctx = open_context(tmp_path / f"demo-{hour}.db", settings=settings, clock=Clock(ZONE))
        try:
            counts = load_demo(ctx)
            customers = list_customers(ctx)
            newest = max(f.at for c in customers[:40] for f in customer_detail(ctx, c.id).follow_ups)
            samples.append((counts, _book(ctx)))
            # nothing in the sample lies after the start of the day it was made on
            assert newest <= datetime(2026, 11, 24, 0, 0, tzinfo=ZONE)
        finally:
            ctx.close()
    assert samples[0] == samples[1] == samples[2]


class ServiceBook:
    """The sample made call by call through the services themselves: the book the demo's bulk write must equal."""

    def __init__(self, ctx) -> None:
        from crmtui.store.bulk import BulkWriter

        self.ctx = ctx
        self.writer = BulkWriter()  # left empty: every service writes its own records
        self.after = BulkWriter()

    def add_customer(self, name, **values):
        return add_customer(self.ctx, name, **values)

    def add_contact(self, customer_id, name, **values):
        from crmtui.services.customers import add_contact

        return add_contact(self.ctx, customer_id, name, **values)

    def add_deal(self, customer_id, title, **values):
        from crmtui.services.deals import add_deal

        return add_deal(self.ctx, customer_id, title, **values)

    def move_stage(self, deal_id, stage, **values):
        from crmtui.services.deals import move_stage

        return move_stage(self.ctx, deal_id, stage, **values)

    def log_follow_up(self, customer_id, **values):
        from crmtui.services.follow_ups import log_follow_up

        return log_follow_up(self.ctx, customer_id, **values)

    def edit_customer(self, customer_id, changes):
        from crmtui.services.customers import edit_customer

        return edit_customer(self.ctx, customer_id, changes)

    def mark_paid(self, customer_id, **values):
        from crmtui.services.deals import mark_paid

        return mark_paid(self.ctx, customer_id, **values)

    def write(self, connection, outbox) -> None:
        """Nothing left to write: every service wrote its own records."""

    def open_revisits(self, customer_id):
        """services.revisits.open_revisits, read inside the transaction the book is made in (a read opens its own)."""
        from crmtui.store.revisits import open_revisits_of

        with self.ctx.db.raw_write(self.ctx.clock.utcnow()) as (connection, _outbox):
            return open_revisits_of(connection, customer_id)

    def add_ticket(self, customer_id, title, **values):
        """services.tickets.add_ticket, renumbered in sequence as the demo numbers its tickets (a rep's number comes
        from the ticket's random id, new on every build)."""
        from crmtui.services.tickets import add_ticket, next_number

        ticket = add_ticket(self.ctx, customer_id, title, **values)
        with self.ctx.db.raw_write(self.ctx.clock.utcnow()) as (connection, outbox):
            taken = [n for (n,) in connection.execute("SELECT number FROM ticket WHERE id != ?", (ticket.id,))]
            ticket.number = next_number(taken, None)
            connection.execute("UPDATE ticket SET number = ? WHERE id = ?", (ticket.number, ticket.id))
            outbox.record("update", "ticket", ticket.id, {"number": ticket.number})
        return ticket

    def update_ticket(self, ticket_id, **values):
        from crmtui.services.tickets import update_ticket

        return update_ticket(self.ctx, ticket_id, **values)

    def close_ticket(self, ticket_id, resolution, satisfaction=None):
        from crmtui.services.tickets import close_ticket

        return close_ticket(self.ctx, ticket_id, resolution, satisfaction)



BOOK_TABLES = ("customer", "contact", "customer_tag", "deal", "deal_stage_change", "follow_up", "contract", "payment",
               "revisit", "ticket", "ticket_event")
SEARCH_INDEXES = ("customer_fts", "contact_fts", "customer_tag_fts", "deal_fts", "follow_up_fts", "contract_fts")
"""The search indexes the triggers fill (what `crm search` reads): the bulk write fills them its own way."""
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _dump(path, in_order: bool = True) -> tuple[dict[str, list[str]], list[tuple], list[tuple]]:
    """Every row of the book's tables in the order written, the outbox's mutations (sorted) and the fields each
    record's sync stamps cover, with every id replaced by its place in the book (ids are new on every build)."""
    import json
    import sqlite3

    names: dict[str, str] = {}

    def label(text: str) -> str:
        return UUID.sub(lambda m: names.setdefault(m.group(0), f"<{len(names)}>"), text)

    connection = sqlite3.connect(path)
    try:
        tables = {table: [label(repr(row)) for row in connection.execute(f"SELECT * FROM {table} ORDER BY rowid")]
                  for table in BOOK_TABLES}
        for index in SEARCH_INDEXES:
            # the index's own check: every entry of it matches the text it indexes
            connection.execute(f"INSERT INTO {index} ({index}) VALUES ('integrity-check')")
            tables[index] = [label(repr(row)) for row in connection.execute(
                f"SELECT rowid, ref, body FROM {index} ORDER BY rowid")]
        mutations = sorted(
            (kind, table, label(record_id), label(json.dumps(json.loads(changes), sort_keys=True, ensure_ascii=False)),
             base, state, created_at)
            for kind, table, record_id, changes, base, state, created_at in connection.execute(
                "SELECT kind, record_table, record_id, changes, base, state, created_at FROM outbox"))
        stamps = sorted((table, label(record_id), tuple(sorted(json.loads(fields))))
                        for table, record_id, fields in connection.execute("SELECT * FROM sync_stamp"))
        order = [(table, record_id, changes) for table, record_id, changes in connection.execute(
            "SELECT record_table, record_id, changes FROM outbox ORDER BY seq")]
    finally:
        connection.close()
    # Replayed in order, the outbox never names a record before the mutation that makes it (`in_order`: the bulk
    # write's; the services in one transaction fold a revisit's completion into its insert, queued before the
    # follow-up that completed it, which a rep's separate transactions never do).
    made: set[str] = set()
    for table, record_id, changes in order:
        assert not in_order or set(UUID.findall(changes)) <= made | {record_id}, (table, changes)
        made.add(record_id)
    return tables, mutations, stamps


def test_the_demo_written_in_bulk_is_the_book_the_services_write(tmp_path, settings, frozen):
    """The demo applies the services' rules to records in memory and writes them in one go; the same sample made
    through the services call by call, in one transaction as the demo used to, is the same book row by row, with
    the same mutations queued for a team server."""
    builds = {}
    for way in ("bulk", "services"):
        path = tmp_path / f"{way}.db"
        ctx = open_context(path, settings=settings, clock=Clock(ZONE))
        try:
            if way == "bulk":
                counts = load_demo(ctx)
            else:
                with ctx.db.write(ctx.clock.utcnow()):
                    counts = load_demo(ctx, ServiceBook)
        finally:
            ctx.close()
        builds[way] = (counts, *_dump(path, way == "bulk"))
    bulk, services = builds["bulk"], builds["services"]
    assert bulk[0] == services[0]
    for table in BOOK_TABLES + SEARCH_INDEXES:
        assert len(bulk[1][table]) == len(services[1][table]) > 0, table
        assert bulk[1][table] == services[1][table], table
    assert len(bulk[2]) == sum(len(bulk[1][table]) for table in BOOK_TABLES)  # one mutation a record
    assert bulk[2] == services[2]
    assert bulk[3] == services[3]


def test_the_demo_has_a_year_of_history_for_the_reports(ctx):
    """Every report has something to show on the sample: won and lost deals (with reasons, competitors, stages
    skipped and moved back) closed across the last 12 months, a follow-up in each of those months, contracts whose
    instalments are paid, overdue and due ahead, leads that became buyers and leads that did not, old buyers gone
    quiet. The history closes no deal in the board's last 30 days: the board shows the six months' sample alone."""
    import sqlite3
    from datetime import date

    load_demo(ctx)
    connection = sqlite3.connect(ctx.db.path)
    try:
        def rows(sql):
            return connection.execute(sql).fetchall()

        # the live deals' closes, by the local month of their stage change (UTC+8: the UTC text shifted 8 hours)
        closes = rows("SELECT strftime('%Y-%m', datetime(c.at, '+8 hours')), c.to_stage, d.lost_reason, d.competitor"
                      " FROM deal_stage_change c JOIN deal d ON d.id = c.deal_id WHERE c.to_stage IN ('won', 'lost')")
        won = [month for month, stage, _reason, _competitor in closes if stage == "won"]
        lost = [(reason, competitor) for _month, stage, reason, competitor in closes if stage == "lost"]
        assert len(won) >= 40 and len(lost) >= 25, (len(won), len(lost))
        assert all(reason for reason, _competitor in lost)  # the Lost gate: every lost deal says why
        assert sum(competitor is not None for _reason, competitor in lost) >= 10
        # Dec 2025 .. Nov 2026: the last 12 months, each with a won or lost deal and with follow-ups
        months = [f"{2025 + (11 + k) // 12}-{(11 + k) % 12 + 1:02d}" for k in range(12)]
        assert months[0] == "2025-12" and months[-1] == "2026-11"
        closed_months = {month for month, *_rest in closes}
        assert set(months) <= closed_months, set(months) - closed_months
        follow_up_months = {month for (month,) in rows(
            "SELECT DISTINCT strftime('%Y-%m', datetime(at, '+8 hours')) FROM follow_up WHERE deleted_at IS NULL")}
        assert set(months) <= follow_up_months, set(months) - follow_up_months
        # stage skips and moves back, as reps make them
        moves = dict(((a, b), n) for a, b, n in rows(
            "SELECT from_stage, to_stage, count(*) FROM deal_stage_change GROUP BY 1, 2"))
        assert moves.get(("needs", "quote"), 0) > 0 and moves.get(("quote", "proposal"), 0) > 0
        # instalments: paid ones, overdue ones (unpaid, due before today 2026-11-24), ones due in the next 90 days
        today, ahead = date(2026, 11, 24).isoformat(), date(2027, 2, 22).isoformat()  # 24 Nov + 90 days
        paid, overdue, coming = rows(
            f"SELECT sum(paid_on IS NOT NULL), sum(paid_on IS NULL AND due_on < '{today}'),"
            f" sum(paid_on IS NULL AND due_on >= '{today}' AND due_on <= '{ahead}') FROM payment")[0]
        assert paid >= 40 and overdue >= 5 and coming >= 5, (paid, overdue, coming)
        assert rows(f"SELECT count(*) FROM payment WHERE paid_on > '{today}' OR paid_on < '2025-11-01'") == [(0,)]
        # the board's last 30 days (from 25 Oct 00:00 local, 24 Oct 16:00 UTC) hold only the six months' sample's
        # own closes, the 2 won and 2 lost its board pictures show; the history's closes all came before
        recent = rows("SELECT to_stage, count(*) FROM deal_stage_change WHERE to_stage IN ('won', 'lost')"
                      " AND at >= '2026-10-24 16:00' GROUP BY 1 ORDER BY 1")
        assert recent == [("lost", 2), ("won", 2)], recent
        assert rows("SELECT count(*) FROM contract WHERE number LIKE 'HT-%-H%' AND signed_on > '2026-10-23'") == [(0,)]
        # leads that never became buyers (no deal, gone dormant); sources whose customers bought (a won deal)
        cold = rows("SELECT count(*) FROM customer c WHERE c.status = 'dormant'"
                    " AND NOT EXISTS (SELECT 1 FROM deal d WHERE d.customer_id = c.id)")[0][0]
        assert cold >= 5
        buying_sources = rows("SELECT count(DISTINCT c.source) FROM customer c JOIN deal d ON d.customer_id = c.id"
                              " WHERE d.stage = 'won'")[0][0]
        assert buying_sources >= 5
        # buyers: recent ones (won in the last 3 months) and old ones gone quiet (last contact 5+ months ago)
        recent_buyers, quiet_buyers = rows(
            "SELECT sum(last_won >= '2026-08-24'), sum(last_won < '2026-06-01' AND last_contact < '2026-06-24')"
            " FROM (SELECT max(c.at) AS last_won, k.last_contact_at AS last_contact FROM deal_stage_change c"
            " JOIN deal d ON d.id = c.deal_id JOIN customer k ON k.id = d.customer_id"
            " WHERE c.to_stage = 'won' GROUP BY k.id)")[0]
        assert recent_buyers >= 5 and quiet_buyers >= 5, (recent_buyers, quiet_buyers)
    finally:
        connection.close()


def test_the_demo_has_life_after_the_sale(ctx):
    """Won deals have their revisit plans (most past ones done, with scores on the follow-ups that did them; two
    late; three low scores, each with its call back due today; a training visit added to the plan due today;
    the rest coming); tickets in every status, kind and priority with their history; service cycles and a
    warranty ending within 30 days. Nothing made after the start of the day the sample is made on."""
    import sqlite3
    from collections import Counter
    from datetime import date, datetime

    from crmtui.services.agenda import agenda_for
    from crmtui.services.tickets import list_tickets, ticket_detail

    load_demo(ctx)
    today = date(2026, 11, 24)  # the frozen clock: Tue 2026-11-24 10:00 Asia/Shanghai
    midnight = datetime(2026, 11, 23, 16, 0)  # 24 Nov 00:00 in Shanghai (UTC+8), as stored (UTC, naive text)
    connection = sqlite3.connect(ctx.db.path)
    try:
        def rows(sql):
            return connection.execute(sql).fetchall()

        # revisits: those of a won deal's plan, and the call backs (no deal) the low scores planned
        plans = rows("SELECT r.due_on, r.follow_up_id IS NOT NULL, f.satisfaction, f.nps, r.done_at, f.at"
                     " FROM revisit r LEFT JOIN follow_up f ON f.id = r.follow_up_id WHERE r.deal_id IS NOT NULL")
        done = [p for p in plans if p[1]]
        late = [p for p in plans if not p[1] and p[0] < today.isoformat()]
        due_today = [p for p in plans if not p[1] and p[0] == today.isoformat()]
        coming = [p for p in plans if not p[1] and p[0] > today.isoformat()]
        assert len(late) == 2  # LATE: the latest past ones after the low-scored
        assert len(done) >= 20 and len(coming) >= 10, (len(done), len(coming))
        assert all(1 <= satisfaction <= 5 and done_at == at for _d, _x, satisfaction, _n, done_at, at in done)
        assert all(nps is None or 0 <= nps <= 10 for _d, _x, _s, nps, _a, _b in done)
        assert len(due_today) >= 1  # the training visit a rep added to the plan of a deal won a week ago
        assert all(p[0] >= today.isoformat() for p in plans if not p[1] and p not in late)
        # low scores (<= 2, the default low mark): three, with would-recommend 3, 0 and none
        low = sorted(((s, n) for _d, _x, s, n, _a, _b in done if s <= 2), key=lambda score: (score[0], score[1] or -1))
        assert low == [(1, 0), (2, None), (2, 3)]
        # each planned its call back: a phone revisit of no deal, due the next working day after Monday 23
        # (the last working day before today), so today
        call_backs = rows("SELECT due_on, channel, purpose, follow_up_id FROM revisit WHERE deal_id IS NULL")
        assert len(call_backs) == 3
        assert {(due, channel, done_by) for due, channel, _p, done_by in call_backs} == {("2026-11-24", "phone", None)}
        assert all("/5" in purpose for _d, _c, purpose, _f in call_backs)
        agenda = agenda_for(ctx)
        assert agenda.sections.get("revisits"), sorted(agenda.sections)

        # tickets: 12, by hand from the demo's table: open 2, in progress 2, waiting 2, resolved 2, closed 4
        views = list_tickets(ctx, statuses=None)
        assert Counter(v.status for v in views) == {"open": 2, "in_progress": 2, "waiting": 2, "resolved": 2,
                                                    "closed": 4}
        assert {v.kind for v in views} == {"repair", "maintenance", "complaint", "consultation"}
        assert {v.priority for v in views} == {"low", "normal", "high", "urgent"}
        by_number = {v.number: v for v in views}
        assert sorted(by_number) == [f"T-{n:04d}" for n in range(1, 13)]
        # overdue at 10:00: T-0001 (urgent, 8 clock hours from Monday ~14:00: Monday ~22:00) and T-0002 (high, 24
        # working hours of 9-18 from Wednesday ~10:00: 8 + 9 + 7 -> Friday ~17:00)
        assert sorted(v.number for v in views if v.overdue) == ["T-0001", "T-0002"]
        # due soon: T-0003 (high, from Thursday ~15:00: 3 + 9 (Fri) + 9 (Mon) + 3 -> today ~12:00, within 4 hours)
        assert [v.number for v in views if v.due_soon] == ["T-0003"]
        closed = [v for v in views if v.status == "closed"]
        assert all(v.resolution and v.closed_at for v in closed)
        assert sorted(v.satisfaction or 0 for v in closed) == [0, 3, 4, 5]
        for view in views:
            _view, events = ticket_detail(ctx, view.id)
            assert events[0].to_status == "open"
            assert [e.at for e in events] == sorted(e.at for e in events)
            # the history walks the status flow to the ticket's status
            moves = [e.to_status for e in events if e.to_status]
            assert moves[-1] == view.status, (view.number, moves)
        assert sum(bool(e.note) for v in views for e in ticket_detail(ctx, v.id)[1]) >= 6

        # care: a 6-month cycle whose next visit is within the week, a 3-month one, a warranty ending in 20 days
        care = rows("SELECT service_months, service_from, warranty_until FROM customer"
                    " WHERE service_months IS NOT NULL OR warranty_until IS NOT NULL ORDER BY service_months")
        # 24 Nov - 178 days = 30 May (+6 months: 30 Nov, 6 days ahead); 24 Nov - 80 days = 5 Sep; 24 Nov + 20 days
        assert care == [(None, None, "2026-12-14"), (3, "2026-09-05", None), (6, "2026-05-30", None)]

        # nothing in the future: every moment of the sample before 24 Nov 00:00 Shanghai
        for table, column in (("follow_up", "at"), ("ticket", "opened_at"), ("ticket", "closed_at"),
                              ("ticket_event", "at"), ("revisit", "done_at"), ("revisit", "created_at"),
                              ("ticket", "updated_at"), ("customer", "updated_at")):
            (newest,) = rows(f"SELECT max({column}) FROM {table}")[0]
            assert newest < midnight.isoformat(sep=" "), (table, column, newest)
    finally:
        connection.close()
