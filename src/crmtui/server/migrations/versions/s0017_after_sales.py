"""After the sale: revisit plans, service requests (tickets) with their history, satisfaction scores and service
cycles sync in a team like every other record of a customer.

Revision ID: s0017
Revises: s0016

- Tables `crm.revisit`, `crm.ticket` and `crm.ticket_event`, with the laptops' columns (store migration 0013).
  `ticket_event` carries its ticket's customer on the server (denormalised, as a payment carries its contract's):
  the server sets it from the ticket, never the laptop, and moves it with the ticket.
- Columns `follow_up.satisfaction` and `follow_up.nps`; `service_months`, `service_from` and `warranty_until` on
  `customer` and `contract`.
- The push accepts the three tables with the integrity checks of their parents: the pushing rep must hold the
  customer (a manager any), and a record refers only to records of its own customer (a revisit's deal and the
  follow-up that completed it, a ticket's contract, an event's ticket); a merge moves them with the customer, and
  a manager's restore of a deleted customer brings them back with it.
- Row-level security: the customer's holder and the managers read them; another rep reads none, not even those
  of a customer in the pool (the pool shows a customer's name and history, not its service requests).
- `author` of a ticket and of a ticket event is the login that put it on the server, set by the server as a
  follow-up's is (sync.follow_up_author): whatever a laptop sends is ignored.
"""

from __future__ import annotations

import re
from importlib import import_module

from alembic import op

revision = "s0017"
down_revision = "s0016"
branch_labels = None
depends_on = None

NEW_TABLES = ("revisit", "ticket", "ticket_event")

COMMON = """
    id text PRIMARY KEY,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz,
    txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    stamps jsonb NOT NULL DEFAULT '{}'::jsonb,
"""

TABLES = {
    "revisit": """
    customer_id text NOT NULL REFERENCES crm.customer(id), deal_id text REFERENCES crm.deal(id),
    due_on date NOT NULL, purpose text NOT NULL, channel text, follow_up_id text, done_at timestamptz
    """,
    "ticket": """
    customer_id text NOT NULL REFERENCES crm.customer(id), contract_id text REFERENCES crm.contract(id),
    number text NOT NULL, title text NOT NULL, kind text NOT NULL, priority text NOT NULL, status text NOT NULL,
    opened_at timestamptz NOT NULL, respond_by timestamptz NOT NULL, resolve_by timestamptz NOT NULL, due_on date,
    responded_at timestamptz, resolved_at timestamptz, closed_at timestamptz, resolution text, satisfaction integer,
    author text
    """,
    "ticket_event": """
    ticket_id text NOT NULL REFERENCES crm.ticket(id), customer_id text NOT NULL REFERENCES crm.customer(id),
    at timestamptz NOT NULL, from_status text, to_status text, note text, author text
    """,
}

COLUMNS = (("follow_up", "satisfaction", "integer"), ("follow_up", "nps", "integer"),
           ("customer", "service_months", "integer"), ("customer", "service_from", "date"),
           ("customer", "warranty_until", "date"),
           ("contract", "service_months", "integer"), ("contract", "service_from", "date"),
           ("contract", "warranty_until", "date"))

INDEXES = """
CREATE INDEX revisit_deal ON crm.revisit (deal_id);
CREATE INDEX revisit_follow_up ON crm.revisit (follow_up_id) WHERE follow_up_id IS NOT NULL;
CREATE INDEX ticket_contract ON crm.ticket (contract_id);
CREATE INDEX ticket_event_ticket ON crm.ticket_event (ticket_id);
"""

ACCESS = r"""
-- Owned, written and read like their neighbours: tables to the tables' owner, written only by the functions' owner
-- (through sync.push); the customer's holder and the managers read them.
DO $$
DECLARE
    v_owner regrole := (SELECT relowner::regrole FROM pg_class WHERE oid = 'crm.customer'::regclass);
    v_api regrole := (SELECT proowner::regrole FROM pg_proc WHERE oid = 'sync.push(text, jsonb)'::regprocedure);
    v_rep regrole := sync.team_role('rep')::regrole;
    v_manager regrole := sync.team_role('manager')::regrole;
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['revisit', 'ticket', 'ticket_event'] LOOP
        EXECUTE format('ALTER TABLE crm.%I OWNER TO %s', t, v_owner);
        EXECUTE format('ALTER TABLE crm.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE crm.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('REVOKE ALL ON crm.%I FROM PUBLIC', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON crm.%I TO %s', t, v_api);
        EXECUTE format('CREATE POLICY api_all ON crm.%I TO %s USING (true) WITH CHECK (true)', t, v_api);
        EXECUTE format('CREATE POLICY rep_read ON crm.%I FOR SELECT TO %s USING ('
                       'EXISTS (SELECT 1 FROM crm.customer c WHERE c.id = customer_id AND c.owner = session_user))',
                       t, v_rep);
        EXECUTE format('CREATE POLICY manager_read ON crm.%I FOR SELECT TO %s USING (true)', t, v_manager);
        EXECUTE format('GRANT SELECT ON crm.%I TO %s, %s', t, v_rep, v_manager);
    END LOOP;
END $$;

-- Who opened a ticket and who wrote each step of its history: the server's to say, as for a follow-up.
CREATE TRIGGER ticket_author BEFORE INSERT OR UPDATE ON crm.ticket
    FOR EACH ROW EXECUTE FUNCTION sync.follow_up_author();
CREATE TRIGGER ticket_event_author BEFORE INSERT OR UPDATE ON crm.ticket_event
    FOR EACH ROW EXECUTE FUNCTION sync.follow_up_author();
"""

_ALL_TABLES = "'customer_tag', 'revisit', 'ticket', 'ticket_event'"


def _with_new_tables(source: str, expected: int) -> str:
    """A function's text whose lists of the synced tables (ending with customer_tag) name the new ones too."""
    changed, count = re.subn(r"'customer_tag'(\s*[)\]])", lambda m: _ALL_TABLES + m.group(1), source)
    assert count == expected, (count, source[:80])
    return changed


def _function(module: str, name: str, source: str = "FUNCTIONS", *, signature: str = r"\(") -> str:
    s0010 = import_module("crmtui.server.migrations.versions.s0010_follow_up_in_time")
    return s0010._function(module, name, source, signature=signature)  # type: ignore[no-any-return]


def _replace(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


# The customer of a record whose customer the server derives: a stage change's deal's, an instalment's contract's,
# and now an event's ticket's.
_CUSTOMER_OF_PAYMENT = """    ELSIF p_table = 'payment' THEN
        SELECT customer_id INTO v FROM crm.contract WHERE id = p_changes->>'contract_id';
"""


def customer_of() -> str:
    return _replace(_function("s0001_team_schema", "customer_of"), _CUSTOMER_OF_PAYMENT, _CUSTOMER_OF_PAYMENT + """\
    ELSIF p_table = 'ticket_event' THEN
        SELECT customer_id INTO v FROM crm.ticket WHERE id = p_changes->>'ticket_id';
""")


_DENORMALISED = "IN ('deal_stage_change', 'payment')"
_MOVED_CONTRACT = """                ELSIF v_table = 'contract' THEN
                    UPDATE crm.payment SET customer_id = v_win->>'customer_id' WHERE contract_id = v_id;
"""


def apply_mutation() -> str:
    text = _with_new_tables(_function("s0003_push_integrity", "apply_mutation").replace(
        "{BACKDATED}", import_module("crmtui.server.migrations.versions.s0003_push_integrity").BACKDATED), 1)
    assert text.count(_DENORMALISED) == 2
    text = text.replace(_DENORMALISED, "IN ('deal_stage_change', 'payment', 'ticket_event')")
    return _replace(text, _MOVED_CONTRACT, _MOVED_CONTRACT + """\
                ELSIF v_table = 'ticket' THEN
                    UPDATE crm.ticket_event SET customer_id = v_win->>'customer_id' WHERE ticket_id = v_id;
""")


_CROSSING_PAYMENT = """    ELSIF p_table = 'payment' THEN
        SELECT 'contract_id' INTO v FROM crm.payment p JOIN crm.contract c ON c.id = p.contract_id
         WHERE p.id = p_id AND c.customer_id <> p.customer_id;
"""
_CROSSING_DEAL_MOVED = """            SELECT 'contract.deal_id' FROM crm.contract c JOIN crm.deal d ON d.id = c.deal_id
             WHERE d.id = p_id AND c.customer_id <> d.customer_id) x LIMIT 1;
"""


def crossing_reference() -> str:
    text = _replace(_function("s0003_push_integrity", "crossing_reference"), _CROSSING_PAYMENT, _CROSSING_PAYMENT + """\
    ELSIF p_table = 'revisit' THEN
        SELECT CASE WHEN d.customer_id <> r.customer_id THEN 'deal_id' ELSE 'follow_up_id' END INTO v
          FROM crm.revisit r LEFT JOIN crm.deal d ON d.id = r.deal_id LEFT JOIN crm.follow_up f ON f.id = r.follow_up_id
         WHERE r.id = p_id AND (d.customer_id <> r.customer_id OR f.customer_id <> r.customer_id);
    ELSIF p_table = 'ticket' THEN
        SELECT 'contract_id' INTO v FROM crm.ticket k JOIN crm.contract c ON c.id = k.contract_id
         WHERE k.id = p_id AND c.customer_id <> k.customer_id;
""")
    text = _replace(text, _CROSSING_DEAL_MOVED, _CROSSING_DEAL_MOVED.replace(") x LIMIT 1;", """
            UNION ALL
            SELECT 'revisit.deal_id' FROM crm.revisit r JOIN crm.deal d ON d.id = r.deal_id
             WHERE d.id = p_id AND r.customer_id <> d.customer_id) x LIMIT 1;"""))
    return _replace(text, """    END IF;
    RETURN v;
END $$;""", """    ELSIF p_table = 'contract' THEN
        SELECT 'ticket.contract_id' INTO v FROM crm.ticket k JOIN crm.contract c ON c.id = k.contract_id
         WHERE c.id = p_id AND k.customer_id <> c.customer_id LIMIT 1;
    ELSIF p_table = 'follow_up' THEN
        SELECT 'revisit.follow_up_id' INTO v FROM crm.revisit r JOIN crm.follow_up f ON f.id = r.follow_up_id
         WHERE f.id = p_id AND r.customer_id <> f.customer_id LIMIT 1;
    END IF;
    RETURN v;
END $$;""")


_MOVE_TABLES = "ARRAY['contact', 'deal', 'follow_up', 'contract', 'customer_tag']"
_MOVE_PAYMENTS = "    UPDATE crm.payment SET customer_id = p_to WHERE customer_id = p_from;\n"


def move_merged() -> str:
    text = _replace(_function("s0003_push_integrity", "move_merged"), _MOVE_TABLES,
                    "ARRAY['contact', 'deal', 'follow_up', 'contract', 'customer_tag', 'revisit', 'ticket']")
    return _replace(text, _MOVE_PAYMENTS,
                    _MOVE_PAYMENTS + "    UPDATE crm.ticket_event SET customer_id = p_to WHERE customer_id = p_from;\n")


def functions() -> list[str]:
    """Every function that names the synced tables, as the latest revision made it, naming the new ones too."""
    s0010 = import_module("crmtui.server.migrations.versions.s0010_follow_up_in_time")
    return [
        customer_of(),
        apply_mutation(),
        crossing_reference(),
        move_merged(),
        _with_new_tables(s0010._push(), 1),
        _with_new_tables(_function("s0001_team_schema", "known_rows"), 1),
        _with_new_tables(_function("s0006_team_deletes_and_restore", "restore", "UP"), 1),
    ]


def upgrade() -> None:
    for table, column, kind in COLUMNS:
        op.execute(f"ALTER TABLE crm.{table} ADD COLUMN {column} {kind}")
    for table in NEW_TABLES:
        op.execute(f"CREATE TABLE crm.{table} ({COMMON}{TABLES[table]})")
        op.execute(f"CREATE INDEX {table}_txid ON crm.{table} (txid)")
        op.execute(f"CREATE INDEX {table}_customer ON crm.{table} (customer_id)")
        op.execute(f"CREATE TRIGGER {table}_txid BEFORE INSERT OR UPDATE ON crm.{table}"
                   " FOR EACH ROW EXECUTE FUNCTION sync.set_txid()")
    op.execute(INDEXES)
    op.execute(ACCESS)
    for function in functions():
        op.execute(function)


def downgrade() -> None:
    s0010 = import_module("crmtui.server.migrations.versions.s0010_follow_up_in_time")
    s0003 = import_module("crmtui.server.migrations.versions.s0003_push_integrity")
    op.execute(_function("s0001_team_schema", "customer_of"))
    op.execute(_function("s0003_push_integrity", "apply_mutation").replace("{BACKDATED}", s0003.BACKDATED))
    op.execute(_function("s0003_push_integrity", "crossing_reference"))
    op.execute(_function("s0003_push_integrity", "move_merged"))
    op.execute(s0010._push())
    op.execute(_function("s0001_team_schema", "known_rows"))
    op.execute(_function("s0006_team_deletes_and_restore", "restore", "UP"))
    for table in reversed(NEW_TABLES):
        op.execute(f"DROP TABLE crm.{table}")
    for table, column, _kind in reversed(COLUMNS):
        op.execute(f"ALTER TABLE crm.{table} DROP COLUMN {column}")
