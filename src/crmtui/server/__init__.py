"""The team server: the PostgreSQL schema (its own Alembic tree) and the admin commands (`crm server ...`)."""
