"""The signing service: derive addresses for the hub's pool, and sign what the policy can justify.

:meth:`SigningService.sign` runs one request at a time (the limit counters are checked and recorded
atomically): parse -> answer a retried request id from the state (a changed body is refused) -> derive the
input chains' address hashes -> :func:`~tanglehub.signer.check.check_request` -> rolling-window limits and
replays against the state -> sign through the vault -> the protocol's semantic check -> record the answer,
the counters, the transaction and the audit record in one commit -> return. Refusals are recorded and audited
the same way, so a retried refusal gives the same answer.

A withdrawal (identity: user id + idempotency key) is counted once. Signing it again into another transaction
is allowed only when the earlier transaction is provably dead: one of its inputs was consumed on the ledger
by a different transaction (the output metadata names the spender), which needs ``policy.node_url``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence

from tanglehub.keys.slip10 import Bip44
from tanglehub.protocol.jsonutil import hex_from_bytes as _hex
from tanglehub.protocol.payload import TransactionPayload
from tanglehub.protocol.semantic import ConflictReason, verify_transaction
from tanglehub.signer.check import Approval, check_request
from tanglehub.signer.errors import RefusalReason, SignerRequestError, SigningRefused
from tanglehub.signer.legacy import LegacyKeys, check_uuid
from tanglehub.signer.policy import Policy
from tanglehub.signer.request import SignRequest
from tanglehub.signer.state import SignerState
from tanglehub.vault.signer import Signer
from tanglehub.vault.unlocks import build_unlocks, unique_chains

__all__ = ["DeadCheck", "SigningService"]

DeadCheck = Callable[[bytes, Sequence[bytes]], Awaitable[bool]]
"""``(old transaction id, its input output ids) -> True`` when an input was consumed by another transaction."""

MAX_DERIVE = 10_000
"""Most addresses one derive call returns."""
MAX_LEGACY_DERIVE = 100
"""Most seed UUIDs one legacy derive call takes (each costs an Argon2id run at 128 MiB)."""


def _summary(req: SignRequest, policy: Policy) -> dict[str, object]:
    return {
        "kind": req.justification.kind,
        "inputs": [_hex(i.output_id) for i in req.inputs],
        "outputs": [
            {"address": o.address.to_bech32(policy.bech32_hrp), "amount": str(o.amount)}
            for o in req.essence.outputs
        ],
        "withdrawals": [
            {
                "userId": w.user_id,
                "idempotencyKey": w.idempotency_key,
                "address": w.address,
                "amount": str(w.amount),
            }
            for w in req.justification.withdrawals
        ],
        "essenceHash": _hex(req.essence.hash()),
    }


class SigningService:
    """The signer's logic, independent of HTTP (the app in :mod:`tanglehub.signer.app` is a thin shell)."""

    def __init__(
        self,
        policy: Policy,
        state: SignerState,
        signer: Signer,
        dead_check: DeadCheck | None = None,
        legacy: LegacyKeys | None = None,
    ) -> None:
        self.policy = policy
        self.state = state
        self._signer = signer
        self._dead_check = dead_check
        self._legacy = legacy
        self._lock = asyncio.Lock()

    async def derive_legacy(self, seed_uuids: Sequence[str]) -> list[bytes]:
        """Address hashes of the legacy-scheme keys of ``seed_uuids`` (recorded as the signer's own); one
        Argon2id run per new UUID. :class:`SigningRefused` when the policy does not enable the scheme."""
        if not self.policy.legacy_deposits or self._legacy is None:
            raise SigningRefused(RefusalReason.INPUT_NOT_OWNED, "this signer does not use the legacy key scheme")
        if not 1 <= len(seed_uuids) <= MAX_LEGACY_DERIVE:
            raise SignerRequestError(f"derive-legacy: give 1..{MAX_LEGACY_DERIVE} seed UUIDs")
        uuids = [check_uuid(u) for u in seed_uuids]
        known = self.state.recorded_legacy(uuids)
        out: list[bytes] = []
        for u in uuids:
            h = known.get(u)
            if h is None:
                h = await self._legacy.address_hash(u)
                await asyncio.to_thread(self.state.record_legacy, u, h)
            out.append(h)
        return out

    async def derive(self, account: int, change: int, start: int, count: int) -> list[bytes]:
        """Address hashes ``start..start+count-1`` of ``account``/``change`` (recorded as the signer's own).
        Raises :class:`SigningRefused` (``INPUT_NOT_OWNED``) for an account outside the policy and
        :class:`SignerRequestError` for bad ranges."""
        if account not in self.policy.accounts:
            raise SigningRefused(RefusalReason.INPUT_NOT_OWNED, f"account {account} is not one this signer serves")
        if change not in (0, 1) or not 0 <= start < 2**31 or not 1 <= count <= MAX_DERIVE or start + count > 2**31:
            raise SignerRequestError(f"derive: change must be 0 or 1, start 0..2^31-1 and count 1..{MAX_DERIVE}")
        hashes = await self._signer.ed25519_address_hashes(
            self.policy.coin_type, account, change == 1, start, count
        )
        await asyncio.to_thread(self.state.record_addresses, account, change, start, hashes)
        return hashes

    async def sign(self, body: object) -> dict[str, object]:
        """Sign a request (see the module docstring); returns ``{"transactionId", "payload", "auditSeq"}``.
        Raises :class:`SigningRefused` with its reason, or :class:`SignerRequestError` for a malformed body."""
        req = SignRequest.from_json(body)
        async with self._lock:
            stored = self.state.answer(req.request_id)
            if stored is not None:
                return self._replay(req, stored.body_hash, stored.decision, stored.answer)
            try:
                approval = await self._approve(req)
            except SigningRefused as refusal:
                await asyncio.to_thread(self._record_refusal, req, refusal)
                raise
            payload = await self._sign(req)
            tx_id = payload.transaction_id()
            answer: dict[str, object] = {"transactionId": _hex(tx_id), "payload": payload.to_json()}
            answer["auditSeq"] = await asyncio.to_thread(self._record_signed, req, approval, tx_id, answer)
            return answer

    def _replay(
        self, req: SignRequest, body_hash: bytes, decision: str, answer: dict[str, object]
    ) -> dict[str, object]:
        if body_hash != req.body_hash:
            refusal = SigningRefused(
                RefusalReason.REQUEST_CHANGED,
                f"request {req.request_id!r} was decided before with another body; "
                "a changed essence needs a new request id",
            )
            with self.state.transaction() as db:
                self.state.append_audit(
                    db, req.request_id, "refused", refusal.reason.value, _summary(req, self.policy)
                )
            raise refusal
        if decision == "refused":
            raise SigningRefused(RefusalReason(str(answer["reason"])), str(answer["detail"]))
        return answer

    async def _approve(self, req: SignRequest) -> Approval:
        refs = unique_chains([i.key_ref for i in req.inputs])
        hashes: dict[Bip44 | str, bytes] = {}
        hashes.update(await self._key_hashes([r for r in refs if isinstance(r, Bip44)]))
        uuids = [r for r in refs if isinstance(r, str)]
        if uuids and self._legacy is not None and self.policy.legacy_deposits:
            hashes.update(zip(uuids, await self.derive_legacy(uuids), strict=True))
        approval = check_request(req, self.policy, lambda c: hashes.get(c, b""), self.state.is_own)
        await self._check_counters(req, approval)
        return approval

    async def _key_hashes(self, chains: Sequence[Bip44]) -> dict[Bip44 | str, bytes]:
        """Address hashes of the chains on this signer's coin type and accounts: from the addresses it recorded
        when it derived them, deriving only those it never handed out."""
        hashes: dict[Bip44 | str, bytes] = {}
        groups: dict[tuple[int, int], list[Bip44]] = {}
        for chain in chains:
            if chain.coin_type == self.policy.coin_type and chain.account in self.policy.accounts:
                groups.setdefault((chain.account, chain.change), []).append(chain)
        for (account, change), members in groups.items():
            known = self.state.recorded_hashes(account, change, [c.address_index for c in members])
            for chain in members:
                h = known.get(chain.address_index)
                if h is None:
                    (h,) = await self._signer.ed25519_address_hashes(
                        chain.coin_type, account, change == 1, chain.address_index, 1
                    )
                hashes[chain] = h
        return hashes

    async def _check_counters(self, req: SignRequest, approval: Approval) -> None:
        limits = self.policy.limits
        since = self.state.now() - limits.window_seconds
        essence_hash = req.essence.hash()
        window_total, window_per = self.state.window_usage(since)
        batch_total = 0
        batch_per: dict[str, int] = {}
        for key, address, amount in approval.payouts():
            counted = self.state.counted(key)
            if counted is not None:
                if counted.address != address or counted.amount != amount:
                    raise SigningRefused(
                        RefusalReason.ALREADY_SIGNED,
                        f"withdrawal {key} was signed before with another address or amount",
                    )
                if counted.essence_hash != essence_hash and not await self._provably_dead(counted.essence_hash):
                    raise SigningRefused(
                        RefusalReason.ALREADY_SIGNED,
                        f"withdrawal {key} is already in another signed transaction, which is not provably dead",
                    )
                continue
            total, per = window_total, window_per.get(address, 0)
            batch_total += amount
            batch_per[address] = batch_per.get(address, 0) + amount
            if total + batch_total > limits.max_per_window:
                raise SigningRefused(
                    RefusalReason.WINDOW_LIMIT,
                    f"paying {amount} to {address} would take the window's withdrawals to {total + batch_total}, "
                    f"above the limit of {limits.max_per_window}",
                )
            if per + batch_per[address] > limits.max_per_address_per_window:
                raise SigningRefused(
                    RefusalReason.ADDRESS_WINDOW_LIMIT,
                    f"withdrawals to {address} in the window would reach {per + batch_per[address]}, above the "
                    f"per-address limit of {limits.max_per_address_per_window}",
                )

    async def _provably_dead(self, essence_hash: bytes) -> bool:
        signed = self.state.signed_transaction(essence_hash)
        if self._dead_check is None or signed is None:
            return False
        return await self._dead_check(*signed)

    async def _sign(self, req: SignRequest) -> TransactionPayload:
        refs = [i.key_ref for i in req.inputs]
        message = req.essence.hash()
        chains = [r for r in unique_chains(refs) if isinstance(r, Bip44)]
        signatures: dict[Bip44 | str, tuple[bytes, bytes]] = {}
        signatures.update(zip(chains, await self._signer.sign_ed25519_many(message, chains), strict=True))
        for ref in unique_chains(refs):
            if isinstance(ref, str) and self._legacy is not None:
                signatures[ref] = await self._legacy.sign(message, ref)
        payload = TransactionPayload(req.essence, build_unlocks(refs, signatures))
        timestamp = req.timestamp if req.timestamp is not None else int(self.state.now())
        reason = verify_transaction(payload, [i.output for i in req.inputs], timestamp)
        if reason is not ConflictReason.NONE:
            refusal = SigningRefused(
                RefusalReason.SEMANTICALLY_INVALID,
                f"the signed transaction would be refused by the ledger ({reason.name})",
            )
            await asyncio.to_thread(self._record_refusal, req, refusal)
            raise refusal
        return payload

    def _record_refusal(self, req: SignRequest, refusal: SigningRefused) -> None:
        answer = {"reason": refusal.reason.value, "detail": refusal.detail}
        with self.state.transaction() as db:
            db.execute(
                "INSERT INTO requests (request_id, body_hash, decision, answer) VALUES (?, ?, 'refused', ?)",
                (req.request_id, req.body_hash, _json(answer)),
            )
            summary = _summary(req, self.policy) | {"detail": refusal.detail}
            self.state.append_audit(db, req.request_id, "refused", refusal.reason.value, summary)

    def _record_signed(self, req: SignRequest, approval: Approval, tx_id: bytes, answer: dict[str, object]) -> int:
        now = self.state.now()
        essence_hash = req.essence.hash()
        with self.state.transaction() as db:
            for key, address, amount in approval.payouts():
                db.execute(
                    "INSERT INTO withdrawals (wkey, address, amount, first_at, essence_hash)"
                    " VALUES (?, ?, ?, ?, ?)"
                    " ON CONFLICT (wkey) DO UPDATE SET essence_hash = excluded.essence_hash",
                    (key, address, amount, now, essence_hash),
                )
            db.execute(
                "INSERT OR IGNORE INTO transactions (essence_hash, tx_id, inputs, at) VALUES (?, ?, ?, ?)",
                (essence_hash, tx_id, _json([i.output_id.hex() for i in req.inputs]), now),
            )
            summary = _summary(req, self.policy) | {"transactionId": _hex(tx_id)}
            seq = self.state.append_audit(db, req.request_id, "signed", "", summary)
            answer["auditSeq"] = seq
            db.execute(
                "INSERT INTO requests (request_id, body_hash, decision, answer) VALUES (?, ?, 'signed', ?)",
                (req.request_id, req.body_hash, _json(answer)),
            )
        return seq


def _json(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
