"""Alembic's entry point for OpenSES: runs the migrations on the connection it is handed.

Migrations run through :func:`openses.storage.migrate.migrate`, which opens the connection,
takes the migration lock and passes the connection in ``config.attributes["connection"]``.
"""

from __future__ import annotations

from alembic import context

from openses.storage.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "OpenSES migrations run through openses.storage.migrate.migrate(url), "
        "which provides the connection"
    )
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
