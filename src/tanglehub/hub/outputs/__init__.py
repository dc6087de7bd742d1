"""The hub-owned UTXO set (``hub_outputs``) and the hub's hot addresses; see :mod:`.service`."""

from __future__ import annotations

__all__: list[str] = []
