"""Team sync (DESIGN section 3): push the outbox, pull what changed, the pool. Imports psycopg only when called."""
