"""Alembic environment of the team server: runs on the connection that crmtui.server.admin hands over."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, version_table="alembic_version", version_table_schema="sync")
with context.begin_transaction():
    context.run_migrations()
