"""Alembic environment: runs on the connection `assistant.database.Database.migrate` hands in
(no alembic.ini; the URL is the application's)."""
from __future__ import annotations

from alembic import context

from assistant.database import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
