"""A follow-up made before the pool's reclaim gives the customer back; dates the server derives are never a
rejection; the server's own records are stamped with the team clock.

Revision ID: s0010
Revises: s0009

- Reclaimed for no follow-up in N days. A follow-up logged offline before the reclaim, and pushed after it,
  would have kept the customer had it arrived in time: when its `at` lies within the N days before the
  moment the reclaim took the customer from that rep, the customer goes back to that rep (an access change
  `gained`, reason `restored`, which the rep's laptop pulls), if nobody has claimed it since. It has to be
  honestly timed, exactly as for the first-contact rule (revision s0003): a follow-up backdated more than
  BACKDATED before the moment it was made counts only if its laptop could not know of the reclaim; each
  such decision is recorded in `sync.backdated_follow_up`. The same function decides both rules.
- An undone loss no longer bars a re-claim. `crm.access_change.undone_at` is set on a loss (a reclaim, or a
  first-contact reclaim) that a follow-up made in time undid; the re-claim ban counts only losses not undone.
- Derived dates. A customer update that changes nothing but its last contact, next follow-up and
  `updated_at`, refused only because the customer is no longer the rep's, whose last contact is the time of a
  follow-up the server kept (the follow-up it rides with), is `superseded`, not rejected: the server derives
  those dates from the follow-ups it keeps (revision s0009), so there is nothing of the rep's to list. When
  that follow-up was rejected too, the dates stay rejected with it (the laptop lists them as one change).
- The team clock. `sync.conflict.at`, `sync.applied_mutation.at`, `sync.client.first_seen`/`last_seen` and
  `crm.rep.created_at` default to `sync.now()` (the clock every rule reads) instead of `now()`.
"""

import re
from importlib import import_module

from alembic import op

revision = "s0010"
down_revision = "s0009"
branch_labels = None
depends_on = None

DERIVED_DATES = ("last_contact_at", "next_follow_up_at", "updated_at")
"""A customer update made of these only is the dates a follow-up moves: the server's to derive."""

DATES_DETAIL = "the team server derives these dates from the follow-ups it keeps"
"""The detail of a dates-only update the server did not take from a rep who no longer holds the customer."""

CLOCKED_DEFAULTS = (("sync.conflict", "at"), ("sync.applied_mutation", "at"), ("sync.client", "first_seen"),
                    ("sync.client", "last_seen"), ("crm.rep", "created_at"))
"""Server stamps written by a column default: the team clock's, like every rule's."""


def _function(module: str, name: str, source: str = "FUNCTIONS", *, signature: str = r"\(") -> str:
    """One plpgsql function's definition as an earlier revision made it, as a replacement."""
    text = getattr(import_module(f"crmtui.server.migrations.versions.{module}"), source)
    found = re.search(rf"CREATE (?:OR REPLACE )?FUNCTION sync\.{name}{signature}.*?END \$\$;\n", text, re.S)
    assert found, name
    return re.sub(r"^CREATE (?:OR REPLACE )?FUNCTION", "CREATE OR REPLACE FUNCTION", found.group(0))


def _restore_in_time() -> str:
    s0003 = import_module("crmtui.server.migrations.versions.s0003_push_integrity")
    return RESTORE_IN_TIME.replace("{BACKDATED}", s0003.BACKDATED)


RESTORE_IN_TIME = r"""
-- A follow-up that arrives after the pool took the customer back, but was made in time to keep it, gives the
-- customer back to the rep who lost it, if it is still in the pool: within H hours of the claim for the
-- first-contact rule, within the N days before the reclaim for the no-follow-up rule. One whose time lies well
-- before the moment it was made (BACKDATED) counts only if its laptop had not pulled since the loss (it could
-- not know) and made it after its last pull (a laptop pushes all it made before each pull); either way it is
-- recorded. The loss it undoes no longer bars a re-claim. (Named for the first rule it served.)
CREATE OR REPLACE FUNCTION sync.restore_first_contact(p_rep text, p_client text, p_customer text, p_follow_up text,
                                                      p_at timestamptz, p_made timestamptz) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
DECLARE
    v_loss crm.access_change;
    rules crm.pool_rule;
    v_pulled timestamptz;
    v_counted boolean := true;
BEGIN
    SELECT * INTO rules FROM crm.pool_rule WHERE id = 1;
    SELECT * INTO v_loss FROM crm.access_change
     WHERE customer_id = p_customer AND rep = p_rep ORDER BY id DESC LIMIT 1;
    IF NOT FOUND OR v_loss.change <> 'lost' OR v_loss.reason NOT IN ('first_contact', 'reclaim')
       OR NOT EXISTS (SELECT 1 FROM crm.customer WHERE id = p_customer AND owner IS NULL AND deleted_at IS NULL) THEN
        RETURN;
    END IF;
    IF v_loss.reason = 'first_contact'
       AND (p_at < v_loss.claimed_at OR p_at > v_loss.claimed_at + make_interval(hours => rules.first_contact_hours)) THEN
        RETURN;
    END IF;
    -- Made in time: the reclaim would not have taken the customer had this follow-up been on the server.
    IF v_loss.reason = 'reclaim'
       AND (p_at > v_loss.at OR p_at < v_loss.at - make_interval(days => rules.reclaim_days)) THEN
        RETURN;
    END IF;
    IF p_made IS NOT NULL AND p_made - p_at > interval '{BACKDATED}' THEN
        SELECT last_pull_at INTO v_pulled FROM sync.client WHERE client_id = p_client;
        v_counted := v_pulled IS NULL OR (v_pulled < v_loss.at AND p_made >= v_pulled - interval '{BACKDATED}');
        INSERT INTO sync.backdated_follow_up (follow_up_id, customer_id, rep, client_id, at, made_at, gap, lost_at,
                                              last_pull_at, counted, received_at)
        VALUES (p_follow_up, p_customer, p_rep, p_client, p_at, p_made, p_made - p_at, v_loss.at, v_pulled,
                v_counted, sync.now());
    END IF;
    IF v_counted THEN
        UPDATE crm.access_change SET undone_at = sync.now() WHERE id = v_loss.id;
        PERFORM sync.hand_over(p_customer, NULL, p_rep, 'restored', v_loss.claimed_at);
    END IF;
END $$;
"""

# In sync.push: a dates-only customer update refused for its holder, whose last contact is a follow-up the server
# kept (the one it rides with, pushed just before it), is superseded: the server derived the dates from that
# follow-up. One whose follow-up was refused stays refused, listed with it. The client's last visit is on the team
# clock.
_PUSH_APPLY = "            SELECT * INTO r FROM sync.apply_mutation(v_rep, p_client, m, v_now_ms);\n"
_PUSH_DATES = _PUSH_APPLY + f"""\
            IF r.outcome = 'rejected' AND m->>'table' = 'customer' AND m->>'kind' = 'update'
               AND r.detail IN ('the customer is no longer yours', 'the customer is in the pool now')
               AND NOT EXISTS (SELECT 1 FROM jsonb_object_keys(coalesce(m->'changes', '{{}}'::jsonb)) k
                                WHERE k NOT IN ({", ".join(f"'{name}'" for name in DERIVED_DATES)}))
               AND EXISTS (SELECT 1 FROM crm.follow_up f
                            WHERE f.customer_id = m->>'id' AND f.deleted_at IS NULL
                              AND f.at = (m->'changes'->>'last_contact_at')::timestamptz) THEN
                r.outcome := 'superseded';
                r.detail := '{DATES_DETAIL}';
            END IF;
"""
_PUSH_SEEN = "last_seen = now()"


def _push() -> str:
    push = _function("s0001_team_schema", "push")
    assert _PUSH_APPLY in push and _PUSH_SEEN in push
    return push.replace(_PUSH_APPLY, _PUSH_DATES).replace(_PUSH_SEEN, "last_seen = sync.now()")


_CLAIM_LOSSES = "change = 'lost'\n       AND reason IN ("


def _claim() -> str:
    """sync.claim as revision s0006 made it, with the re-claim ban counting only losses not undone."""
    s0006 = import_module("crmtui.server.migrations.versions.s0006_team_deletes_and_restore")
    claim = s0006._claim()
    assert _CLAIM_LOSSES in claim
    return claim.replace(_CLAIM_LOSSES, "change = 'lost' AND undone_at IS NULL\n       AND reason IN (")


def _defaults(expression: str) -> str:
    return "\n".join(f"ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT {expression};"
                     for table, column in CLOCKED_DEFAULTS)


def upgrade() -> None:
    op.execute("ALTER TABLE crm.access_change ADD COLUMN undone_at timestamptz")
    op.execute(_restore_in_time())
    op.execute(_push())
    op.execute(_claim())
    op.execute(_defaults("sync.now()"))


def downgrade() -> None:
    op.execute(_defaults("now()"))
    s0006 = import_module("crmtui.server.migrations.versions.s0006_team_deletes_and_restore")
    op.execute(s0006._claim())
    op.execute(_function("s0001_team_schema", "push"))
    s0003 = import_module("crmtui.server.migrations.versions.s0003_push_integrity")
    op.execute(_function("s0003_push_integrity", "restore_first_contact", signature=r"\(p_rep text, p_client")
               .replace("{BACKDATED}", s0003.BACKDATED))
    op.execute("ALTER TABLE crm.access_change DROP COLUMN undone_at")
