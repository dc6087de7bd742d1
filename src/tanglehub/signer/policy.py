"""The signer's policy file (``policy.toml``): what it may sign, enforced by the signer itself.

Shape (every amount an integer of the smallest unit, as a TOML integer or a decimal string)::

    network_name = "tanglehub-devnet"      # the essence's network id must be this network's
    bech32_hrp = "tst"
    coin_type = 4219
    accounts = [0, 1]                      # BIP44 accounts the signer derives and signs for
    cold_address = "tst1..."               # optional: the cold address surplus may go to
    node_url = "http://127.0.0.1:14265"    # optional: lets the signer prove an earlier transaction dead
    legacy_deposits = false                # true: deposit keys by seed UUID (legacy Hub scheme, see legacy.py)

    [withdrawals]
    max_per_withdrawal = 1000000000000
    window_seconds = 86400                 # the rolling window of the limits below
    max_per_window = 10000000000000
    max_per_address_per_window = 2000000000000
    require_authorization = false          # true: every withdrawal needs an exchange authorization
    authorization_keys = ["0x<32-byte Ed25519 public key>"]

A missing or malformed value raises :class:`SignerConfigError` naming the key and what is allowed.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tanglehub.errors import TanglehubError
from tanglehub.protocol.address import Address, address_from_bech32
from tanglehub.protocol.ids import network_id as _network_id
from tanglehub.signer.errors import SignerConfigError

__all__ = ["Policy", "WithdrawalLimits", "load_policy", "policy_toml"]

_U64 = (1 << 64) - 1


@dataclass(frozen=True, slots=True)
class WithdrawalLimits:
    """Per-withdrawal and rolling-window limits (amounts in the smallest unit, window in seconds)."""

    max_per_withdrawal: int
    window_seconds: int
    max_per_window: int
    max_per_address_per_window: int
    require_authorization: bool = False
    authorization_keys: tuple[bytes, ...] = ()


@dataclass(frozen=True, slots=True)
class Policy:
    """Everything the signer checks a request against."""

    network_name: str
    bech32_hrp: str
    coin_type: int
    accounts: tuple[int, ...]
    limits: WithdrawalLimits
    cold_address: Address | None = None
    node_url: str | None = None
    legacy_deposits: bool = False
    """True: deposit addresses may use the legacy Hub key scheme (seed UUIDs; :mod:`tanglehub.signer.legacy`)."""

    @property
    def network_id(self) -> int:
        """The network id an essence must carry (first 8 bytes of BLAKE2b-256 of the network name, LE)."""
        return _network_id(self.network_name)


def _amount(table: Mapping[str, object], key: str) -> int:
    value = table.get(key)
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= _U64:
        raise SignerConfigError(
            f"policy: withdrawals.{key} must be a whole amount of the smallest unit (0..2^64-1), got {value!r}"
        )
    return value


def _text(table: Mapping[str, object], key: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value:
        raise SignerConfigError(f"policy: {key} must be non-empty text, got {value!r}")
    return value


def _key(text: object, i: int) -> bytes:
    if not isinstance(text, str):
        raise SignerConfigError(f"policy: withdrawals.authorization_keys[{i}] must be hex text")
    raw = text.removeprefix("0x")
    try:
        key = bytes.fromhex(raw)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise SignerConfigError(
            f"policy: withdrawals.authorization_keys[{i}] must be a 32-byte Ed25519 public key in hex"
        )
    return key


_TOP_KEYS = frozenset(
    {
        "network_name",
        "bech32_hrp",
        "coin_type",
        "accounts",
        "cold_address",
        "node_url",
        "legacy_deposits",
        "withdrawals",
    }
)
_WITHDRAWAL_KEYS = frozenset(
    {
        "max_per_withdrawal",
        "window_seconds",
        "max_per_window",
        "max_per_address_per_window",
        "require_authorization",
        "authorization_keys",
    }
)


def _check_known(table: Mapping[str, object], known: frozenset[str], where: str) -> None:
    for key in table:
        if key not in known:
            near = difflib.get_close_matches(key, sorted(known), n=1)
            hint = f"; did you mean {near[0]!r}?" if near else f"; known keys: {', '.join(sorted(known))}"
            raise SignerConfigError(
                f"policy: unknown key {where}{key!r}{hint} (a misspelt key would silently weaken the policy; "
                "a top-level key written after [withdrawals] belongs to that table in TOML)"
            )


def parse_policy(doc: Mapping[str, object]) -> Policy:
    """Build a :class:`Policy` from a parsed TOML document (see the module docstring); an unknown key is
    refused with :class:`SignerConfigError` (a misspelling must never leave a limit off)."""
    _check_known(doc, _TOP_KEYS, "")
    if isinstance(doc.get("withdrawals"), dict):
        _check_known(doc["withdrawals"], _WITHDRAWAL_KEYS, "withdrawals.")  # type: ignore[arg-type]
    network_name = _text(doc, "network_name")
    hrp = _text(doc, "bech32_hrp")
    coin_type = doc.get("coin_type")
    if not isinstance(coin_type, int) or isinstance(coin_type, bool) or not 0 <= coin_type < 2**31:
        raise SignerConfigError(f"policy: coin_type must be an integer 0..2^31-1, got {coin_type!r}")
    accounts = doc.get("accounts", [0, 1])
    if (
        not isinstance(accounts, list)
        or not accounts
        or not all(isinstance(a, int) and not isinstance(a, bool) and 0 <= a < 2**31 for a in accounts)
    ):
        raise SignerConfigError(
            f"policy: accounts must be a non-empty list of BIP44 account numbers, got {accounts!r}"
        )
    cold: Address | None = None
    if doc.get("cold_address") is not None:
        try:
            cold = address_from_bech32(_text(doc, "cold_address"), expected_hrp=hrp)
        except TanglehubError as exc:
            raise SignerConfigError(f"policy: cold_address is not a {hrp} address: {exc.message}") from exc
    node_url = doc.get("node_url")
    if node_url is not None and (
        not isinstance(node_url, str) or not node_url.startswith(("http://", "https://"))
    ):
        raise SignerConfigError(f"policy: node_url must be an http(s) URL, got {node_url!r}")
    w = doc.get("withdrawals")
    if not isinstance(w, dict):
        raise SignerConfigError("policy: a [withdrawals] table with the limits is required")
    window = w.get("window_seconds")
    if not isinstance(window, int) or isinstance(window, bool) or not 1 <= window <= 366 * 86400:
        raise SignerConfigError(f"policy: withdrawals.window_seconds must be 1..31622400, got {window!r}")
    require = w.get("require_authorization", False)
    if not isinstance(require, bool):
        raise SignerConfigError("policy: withdrawals.require_authorization must be true or false")
    raw_keys = w.get("authorization_keys", [])
    if not isinstance(raw_keys, list):
        raise SignerConfigError("policy: withdrawals.authorization_keys must be a list of hex public keys")
    keys = tuple(_key(k, i) for i, k in enumerate(raw_keys))
    if require and not keys:
        raise SignerConfigError("policy: require_authorization = true needs at least one authorization key")
    limits = WithdrawalLimits(
        _amount(w, "max_per_withdrawal"),
        window,
        _amount(w, "max_per_window"),
        _amount(w, "max_per_address_per_window"),
        require,
        keys,
    )
    legacy = doc.get("legacy_deposits", False)
    if not isinstance(legacy, bool):
        raise SignerConfigError("policy: legacy_deposits must be true or false")
    return Policy(network_name, hrp, coin_type, tuple(accounts), limits, cold, node_url, legacy)


def load_policy(path: Path) -> Policy:
    """Read and check ``path``; a missing file or bad TOML raises :class:`SignerConfigError`."""
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError as exc:
        raise SignerConfigError(f"no policy file at {path}; run 'tanglehub signer init' first") from exc
    except OSError as exc:
        raise SignerConfigError(f"cannot read the policy file {path}: {exc.strerror}") from exc
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SignerConfigError(f"the policy file {path} is not valid TOML: {exc}") from exc
    return parse_policy(doc)


def policy_toml(
    network_name: str, hrp: str, coin_type: int, node_url: str | None = None, legacy_deposits: bool = False
) -> str:
    """A starting policy file for ``signer init`` with conservative limits (edit it before production)."""
    node = f'node_url = "{node_url}"\n' if node_url else ""
    return (
        "# tanglehub signer policy: the signer signs only what this file allows.\n"
        f'network_name = "{network_name}"\n'
        f'bech32_hrp = "{hrp}"\n'
        f"coin_type = {coin_type}\n"
        "accounts = [0, 1]   # 0: deposit addresses, 1: hot wallet\n"
        '# cold_address = "<bech32 address of your cold storage>"\n'
        f"{node}"
        f"legacy_deposits = {'true' if legacy_deposits else 'false'}\n"
        "\n[withdrawals]\n"
        "max_per_withdrawal = 1000000000000          # 1,000,000 tokens of 6 decimals\n"
        "window_seconds = 86400\n"
        "max_per_window = 10000000000000\n"
        "max_per_address_per_window = 2000000000000\n"
        "require_authorization = false\n"
        "authorization_keys = []\n"
    )
