"""The hub's table models, one per file, on :class:`~tanglehub.hub.models.base.Base`.

Importing this package registers every table (CORE's and EDGE's) on ``Base.metadata``.
"""

from __future__ import annotations

from tanglehub.hub.models.address import DepositAddress
from tanglehub.hub.models.api_key import ApiKey
from tanglehub.hub.models.base import Base
from tanglehub.hub.models.cursor import ScannerState
from tanglehub.hub.models.deposit import Deposit
from tanglehub.hub.models.event import Event
from tanglehub.hub.models.ledger import JournalLine, JournalTransaction, LedgerAccount
from tanglehub.hub.models.payout import Batch, HotAddress, HubOutput, Withdrawal
from tanglehub.hub.models.recovery import Recovery
from tanglehub.hub.models.transfer import Transfer
from tanglehub.hub.models.user import User
from tanglehub.hub.models.webhook import Webhook, WebhookDelivery

__all__ = [
    "ApiKey",
    "Base",
    "Batch",
    "Deposit",
    "DepositAddress",
    "Event",
    "HotAddress",
    "HubOutput",
    "JournalLine",
    "JournalTransaction",
    "LedgerAccount",
    "Recovery",
    "ScannerState",
    "Transfer",
    "User",
    "Webhook",
    "WebhookDelivery",
    "Withdrawal",
]
