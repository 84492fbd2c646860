"""The storage edge: one SQLAlchemy Core schema, SQLite (embedded) and PostgreSQL (multi-node)."""
