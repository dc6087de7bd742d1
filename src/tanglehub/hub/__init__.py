"""tanglehub.hub: the custody hub service (users, deposit addresses, deposits credited exactly once, a
double-entry ledger, internal transfers, an event log with a stream and webhooks, and the REST API).

Open a hub with :func:`open_hub` (a :class:`HubContext`); serve it with ``tanglehub.hub.api.app.create_app``
and run its background workers with ``tanglehub.hub.workers.run_workers``.
"""

from __future__ import annotations

from tanglehub.hub.context import HubContext, open_hub
from tanglehub.hub.settings import HubSettings

__all__ = ["HubContext", "HubSettings", "open_hub"]
