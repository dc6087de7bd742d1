"""The event log: every state change appends an event in its own transaction (repository); EDGE's stream and
routes serve it."""

from __future__ import annotations

from tanglehub.hub.events.repository import EventRow, append_event, last_seq, list_events

__all__ = ["EventRow", "append_event", "last_seq", "list_events"]
