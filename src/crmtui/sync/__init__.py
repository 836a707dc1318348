"""Team sync (docs/sync.md): push the outbox, pull what changed, the pool. Imports psycopg only when called."""
