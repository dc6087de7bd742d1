"""The legacy Hub key scheme: Argon2id(seed UUID, salt) with the Hub's parameters, the hub holding only UUIDs;
the salt encrypted at rest; inputs named by UUID are signed only when the policy enables the scheme."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from argon2.low_level import Type, hash_secret_raw
from tests.signer_fixtures import HOT, make_harness, plain, policy_doc

from tanglehub.keys import ed25519
from tanglehub.keys.address import ed25519_address_hash
from tanglehub.keys.slip10 import Bip44
from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.payload import TransactionPayload
from tanglehub.signer.errors import RefusalReason, SignerConfigError, SigningRefused
from tanglehub.signer.legacy import LegacyKeys, legacy_private_key, new_salt, open_salt, seal_salt
from tanglehub.vault import KdfParams, WrongPasswordError
from tanglehub.vault.errors import VaultCorruptedError

SALT = "a-salt-of-at-least-twenty-chars"


def test_keys_follow_the_hubs_argon2id_parameters() -> None:
    seed_uuid = str(uuid.UUID(int=7))
    # the reference: argon2id, time cost 4, 2^17 KiB, parallelism 1, 32 bytes, salt as given
    expected = hash_secret_raw(
        seed_uuid.encode(),
        SALT.encode(),
        time_cost=4,
        memory_cost=131072,
        parallelism=1,
        hash_len=32,
        type=Type.ID,
    )
    assert legacy_private_key(seed_uuid, SALT) == expected
    assert legacy_private_key(str(uuid.UUID(int=8)), SALT) != expected
    with pytest.raises(SignerConfigError, match="20 characters"):
        legacy_private_key(seed_uuid, "short")


def test_the_salt_is_encrypted_at_rest_and_needs_the_password(tmp_path: Path) -> None:
    path = tmp_path / "legacy-salt.vault"
    salt = new_salt()
    seal_salt(path, salt, "pw", KdfParams.MINIMUM)
    assert salt.encode() not in path.read_bytes()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert open_salt(path, "pw") == salt
    with pytest.raises(WrongPasswordError):
        open_salt(path, "wrong")
    with pytest.raises(SignerConfigError, match="refusing to overwrite"):
        seal_salt(path, new_salt(), "pw", KdfParams.MINIMUM)
    path.write_bytes(b"{}")
    with pytest.raises(VaultCorruptedError):
        open_salt(path, "pw")


async def test_a_deposit_named_by_seed_uuid_is_swept_when_the_policy_enables_it(tmp_path: Path) -> None:
    doc = policy_doc()
    doc["legacy_deposits"] = True
    h = make_harness(tmp_path, doc)
    h.service._legacy = LegacyKeys(SALT)
    seed_uuid = str(uuid.uuid4())
    (hash_,) = await h.service.derive_legacy([seed_uuid])
    assert hash_ == ed25519_address_hash(ed25519.public_key(legacy_private_key(seed_uuid, SALT)))
    out = plain(2_000_000, Ed25519Address(hash_))
    inp = h.input(out, Bip44(4219, 0, 0, 0))
    del inp["chain"]
    inp["seedUuid"] = seed_uuid
    body = h.request([inp], [plain(2_000_000, await h.address(HOT, 0, 0))], {"kind": "sweep"})
    answer = await h.service.sign(body)
    payload = TransactionPayload.from_json(answer["payload"])
    assert len(payload.unlocks) == 1


async def test_a_seed_uuid_input_is_refused_by_an_hd_only_signer(tmp_path: Path) -> None:
    h = make_harness(tmp_path)
    with pytest.raises(SigningRefused) as info:
        await h.service.derive_legacy([str(uuid.uuid4())])
    assert info.value.reason is RefusalReason.INPUT_NOT_OWNED
    out = plain(2_000_000, Ed25519Address(bytes(32)))
    inp = h.input(out, Bip44(4219, 0, 0, 0))
    del inp["chain"]
    inp["seedUuid"] = str(uuid.uuid4())
    body = h.request([inp], [plain(2_000_000, await h.address(HOT, 0, 0))], {"kind": "sweep"})
    with pytest.raises(SigningRefused) as refused:
        await h.service.sign(body)
    assert refused.value.reason is RefusalReason.INPUT_NOT_OWNED
