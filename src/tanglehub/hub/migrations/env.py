"""Alembic environment for the hub: runs online on the connection :func:`tanglehub.hub.db.migrate` passes."""

from __future__ import annotations

from alembic import context

import tanglehub.hub.models  # noqa: F401 - registers the tables on Base.metadata
from tanglehub.hub.models.base import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    engine = config.attributes["engine"]
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
