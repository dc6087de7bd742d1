"""The hub's REST API: app assembly (``app``), request dependencies (``deps``), API keys (``auth``),
problem+json errors (``problem``, ``errors``), ``/health`` + ``/ready`` (``health``) and ``/metrics``.

Import the submodules directly (``from tanglehub.hub.api.app import create_app``); this package re-exports
nothing so that importing a router's dependencies does not pull in the whole app.
"""

from __future__ import annotations

__all__: list[str] = []
