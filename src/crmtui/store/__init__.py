"""The local SQLite store: tables, engine, migrations and every query. No other package writes SQL."""
