"""tanglehub.signer: the signing server. It holds the vault, derives addresses, and signs a transaction only
when its own policy justifies every input and output; every decision lands in a hash-chained audit log.

The hub reaches it through :class:`RemoteSigner` over mutual TLS; no call returns a seed, a mnemonic or a
private key.
"""

from __future__ import annotations

from tanglehub.signer.audit import AuditRecord, verify_records
from tanglehub.signer.authorization import authorization_message, sign_authorization, verify_authorization
from tanglehub.signer.certs import CertPaths, make_certificates
from tanglehub.signer.check import Approval, check_request
from tanglehub.signer.client import RemoteSigner
from tanglehub.signer.errors import (
    AuditLogCorrupted,
    RefusalReason,
    SignerConfigError,
    SignerError,
    SignerRequestError,
    SignerUnavailable,
    SigningRefused,
)
from tanglehub.signer.home import SignerHome, open_service
from tanglehub.signer.policy import Policy, WithdrawalLimits, load_policy, policy_toml
from tanglehub.signer.request import SignRequest
from tanglehub.signer.server import BackgroundSigner, TlsFiles, tls_files
from tanglehub.signer.service import SigningService
from tanglehub.signer.state import SignerState

__all__ = [
    "Approval",
    "AuditLogCorrupted",
    "AuditRecord",
    "BackgroundSigner",
    "CertPaths",
    "Policy",
    "RefusalReason",
    "RemoteSigner",
    "SignRequest",
    "SignerConfigError",
    "SignerError",
    "SignerHome",
    "SignerRequestError",
    "SignerState",
    "SignerUnavailable",
    "SigningRefused",
    "SigningService",
    "TlsFiles",
    "WithdrawalLimits",
    "authorization_message",
    "check_request",
    "load_policy",
    "make_certificates",
    "open_service",
    "policy_toml",
    "sign_authorization",
    "tls_files",
    "verify_authorization",
    "verify_records",
]
