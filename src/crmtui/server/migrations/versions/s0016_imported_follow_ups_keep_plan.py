"""Imported follow-up history keeps the customer's planned follow-up on the server too, as on the laptops.

Revision ID: s0016
Revises: s0015

The server derives a customer's last contact and next follow-up from its newest current follow-up (s0009, s0012).
A follow-up imported from another system or a spreadsheet (`imported_from` set) is history: on the laptop
(`crmtui.store.follow_ups.kept_plan`) it becomes the last contact when it is the newest, but it leaves the plan the
customer has when it gives no next date, or happened before the planned day (the plan was made after it); only an
imported follow-up made on or after the planned day, with a next date of its own, replaces the plan. Before this
revision the server took such a follow-up's next date (often none) whenever it re-derived the dates: when the
laptop's own update of the customer was rejected (the customer changed hands meanwhile), or when another laptop
pushed older dates; the emptied plan then came back to every laptop.

Now both derivations (after a follow-up is kept, changed or deleted, and when a customer row brings a last contact
the newest follow-up does not back) apply the laptop's rule when the newest current follow-up is imported, with
the plan the server holds. An imported follow-up older than the newest one moves nothing, as before. Plans already
emptied before this revision are not known any more and stay as they are.
"""

from alembic import op

from crmtui.server.migrations.versions.s0010_follow_up_in_time import _function
from crmtui.server.migrations.versions.s0012_follow_up_corrections import CURRENT

revision = "s0016"
down_revision = "s0015"
branch_labels = None
depends_on = None

KEPT = ("CASE WHEN v_imported AND {plan} IS NOT NULL AND (v_next IS NULL OR v_at < {plan}) THEN {plan}"
        " ELSE v_next END")
"""The next follow-up after the newest current follow-up (v_at, v_next, v_imported), given the plan held: the
laptop's kept_plan for an imported one, its own next date otherwise."""

SQL = r"""
CREATE OR REPLACE FUNCTION sync.follow_up_dates(p_customer text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
DECLARE
    v_at timestamptz;
    v_next timestamptz;
    v_correction boolean;
    v_imported boolean;
BEGIN
    SELECT f.at, f.next_at, f.corrects_id IS NOT NULL, f.imported_from IS NOT NULL
      INTO v_at, v_next, v_correction, v_imported FROM crm.follow_up f
     WHERE f.customer_id = p_customer AND {CURRENT} ORDER BY f.at DESC, f.created_at DESC, f.id DESC LIMIT 1;
    IF FOUND THEN
        -- c.next_follow_up_at on the right-hand side is the plan held before this update
        UPDATE crm.customer c SET last_contact_at = v_at, next_follow_up_at = {KEPT_C}
         WHERE c.id = p_customer AND (c.last_contact_at IS DISTINCT FROM v_at
               OR (v_correction AND c.next_follow_up_at IS DISTINCT FROM v_next));
    END IF;
END $$;

CREATE OR REPLACE FUNCTION sync.customer_keeps_dates() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
DECLARE
    v_at timestamptz;
    v_next timestamptz;
    v_imported boolean;
BEGIN
    SELECT f.at, f.next_at, f.imported_from IS NOT NULL INTO v_at, v_next, v_imported FROM crm.follow_up f
     WHERE f.customer_id = NEW.id AND {CURRENT} ORDER BY f.at DESC, f.created_at DESC, f.id DESC LIMIT 1;
    IF NOT FOUND THEN
        NEW.last_contact_at := OLD.last_contact_at;
        NEW.next_follow_up_at := OLD.next_follow_up_at;
    ELSIF NEW.last_contact_at IS DISTINCT FROM v_at THEN
        NEW.last_contact_at := v_at;
        NEW.next_follow_up_at := {KEPT_OLD};
    END IF;
    RETURN NEW;
END $$;
""".replace("{CURRENT}", CURRENT).replace("{KEPT_C}", KEPT.replace("{plan}", "c.next_follow_up_at")).replace(
    "{KEPT_OLD}", KEPT.replace("{plan}", "OLD.next_follow_up_at"))


def upgrade() -> None:
    op.execute(SQL)


def downgrade() -> None:
    """Back to s0015: the dates as s0012 derived them, an imported follow-up like any other."""
    op.execute(_function("s0012_follow_up_corrections", "follow_up_dates", "SQL")
               + _function("s0012_follow_up_corrections", "customer_keeps_dates", "SQL"))
