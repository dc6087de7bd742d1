"""Sweeps: credited deposit outputs consolidated into hub hot addresses (:mod:`.service`)."""

from __future__ import annotations

__all__: list[str] = []
