"""PostgreSQL triggers that keep the metrics' summary, shared by the models and the migration.

Written as SQL once, here: ``models`` runs it when the tables are created
(``db.create_all``, the tests), the alembic revision when an instance upgrades.
The functions only ever insert into the count tables; the lifecycle's tables
are never written.
"""

from __future__ import annotations

from ..datacite.outcome import LOCAL_RATE_LIMIT

_SIGNATURE = "desired_state, remote_state, in_sync, failed, hold, retried, sent"


def _values(row: str, n: int) -> str:
    return (
        f"({row}.desired_state, {row}.remote_state, {row}.in_sync, {row}.failed, {row}.hold, "
        f"{row}.attempts > 0, {row}.remote_fingerprint IS NOT NULL, {n})"
    )


STATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION doi_ext_count_states() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' OR TG_OP = 'DELETE' THEN
        INSERT INTO doi_ext_state_counts ({_SIGNATURE}, n) VALUES {_values("OLD", -1)};
    END IF;
    IF TG_OP = 'UPDATE' OR TG_OP = 'INSERT' THEN
        INSERT INTO doi_ext_state_counts ({_SIGNATURE}, n) VALUES {_values("NEW", 1)};
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""

_SIGNATURE_CHANGED = " OR ".join(
    [
        f"OLD.{column} IS DISTINCT FROM NEW.{column}"
        for column in ("desired_state", "remote_state", "in_sync", "failed", "hold")
    ]
    + [
        "(OLD.attempts > 0) IS DISTINCT FROM (NEW.attempts > 0)",
        "(OLD.remote_fingerprint IS NULL) IS DISTINCT FROM (NEW.remote_fingerprint IS NULL)",
    ]
)

STATE_TRIGGERS = (
    "CREATE TRIGGER doi_ext_count_states_rows AFTER INSERT OR DELETE ON doi_ext_dois "
    "FOR EACH ROW EXECUTE PROCEDURE doi_ext_count_states()",
    # Most updates (leases, due times, queue marks) leave the signature as it is: no row.
    "CREATE TRIGGER doi_ext_count_states_changes AFTER UPDATE ON doi_ext_dois "
    f"FOR EACH ROW WHEN ({_SIGNATURE_CHANGED}) EXECUTE PROCEDURE doi_ext_count_states()",
)

_QUOTED_LOCAL = LOCAL_RATE_LIMIT.replace("'", "''")
_CALL_COLUMNS = "outcome, status_class, rate_limited"


def _call_values(row: str) -> str:
    return (
        f"{row}.outcome, "
        f"CASE WHEN {row}.http_status IS NULL THEN 'none' ELSE ({row}.http_status / 100)::text || 'xx' END, "
        f"CASE WHEN {row}.message = '{_QUOTED_LOCAL}' THEN 'local' "
        f"WHEN {row}.http_status = 429 THEN 'datacite' ELSE NULL END"
    )


CALL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION doi_ext_count_calls() RETURNS trigger AS $$
BEGIN
    INSERT INTO doi_ext_call_counts ({_CALL_COLUMNS}, n) VALUES ({_call_values("NEW")}, 1);
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""

CALL_TRIGGER = (
    "CREATE TRIGGER doi_ext_count_calls_rows AFTER INSERT ON doi_ext_events "
    "FOR EACH ROW WHEN (NEW.action = 'call') EXECUTE PROCEDURE doi_ext_count_calls()"
)

#: Start from what the tables already hold (an upgrade); concurrent writers wait for the commit.
POPULATE = (
    "LOCK TABLE doi_ext_dois, doi_ext_events IN SHARE MODE",
    "DELETE FROM doi_ext_state_counts",
    f"INSERT INTO doi_ext_state_counts ({_SIGNATURE}, n) "
    "SELECT desired_state, remote_state, in_sync, failed, hold, attempts > 0, "
    "remote_fingerprint IS NOT NULL, count(*) FROM doi_ext_dois "
    "GROUP BY 1, 2, 3, 4, 5, 6, 7",
    "DELETE FROM doi_ext_call_counts",
    f"INSERT INTO doi_ext_call_counts ({_CALL_COLUMNS}, n) "
    f"SELECT {_call_values('e')}, count(*) FROM doi_ext_events e WHERE e.action = 'call' "
    "GROUP BY 1, 2, 3",
)

CREATE = (STATE_FUNCTION, *STATE_TRIGGERS, CALL_FUNCTION, CALL_TRIGGER, *POPULATE)
"""Everything to run, in order, once the count tables exist."""

DROP = (
    "DROP TRIGGER IF EXISTS doi_ext_count_calls_rows ON doi_ext_events",
    "DROP TRIGGER IF EXISTS doi_ext_count_states_changes ON doi_ext_dois",
    "DROP TRIGGER IF EXISTS doi_ext_count_states_rows ON doi_ext_dois",
    "DROP FUNCTION IF EXISTS doi_ext_count_calls()",
    "DROP FUNCTION IF EXISTS doi_ext_count_states()",
)
"""Everything to undo, before the count tables go."""

#: Collapse the +1/-1 rows into one row per key (rows inserted meanwhile stay as they are).
COMPACT = (
    f"WITH moved AS (DELETE FROM doi_ext_state_counts RETURNING {_SIGNATURE}, n) "
    f"INSERT INTO doi_ext_state_counts ({_SIGNATURE}, n) "
    f"SELECT {_SIGNATURE}, sum(n) FROM moved GROUP BY {_SIGNATURE} HAVING sum(n) <> 0",
    f"WITH moved AS (DELETE FROM doi_ext_call_counts RETURNING {_CALL_COLUMNS}, n) "
    f"INSERT INTO doi_ext_call_counts ({_CALL_COLUMNS}, n) "
    f"SELECT {_CALL_COLUMNS}, sum(n) FROM moved GROUP BY {_CALL_COLUMNS}",
)
