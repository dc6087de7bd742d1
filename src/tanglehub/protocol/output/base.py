"""The part every output shares: amount, native tokens, unlock conditions, features; the TIP-18 list
checks; the parameter-dependent checks in :meth:`OutputBase.validate`; and the common JSON fields."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

from tanglehub.protocol.address import Address
from tanglehub.protocol.codec import CachedSerializable, Reader, Writer
from tanglehub.protocol.errors import DecodeError, JsonShapeError
from tanglehub.protocol.jsonutil import JsonObject, get_field, int_from_dec, require_list
from tanglehub.protocol.native_token import (
    NativeToken,
    check_native_tokens,
    read_native_tokens,
    write_native_tokens,
)
from tanglehub.protocol.output.common import check_kind_list, json_kind, optional_json_list, read_counted, sub
from tanglehub.protocol.output.features import Feature, feature_from_json, read_feature
from tanglehub.protocol.output.unlock_conditions import (
    StorageDepositReturnUnlockCondition,
    UnlockCondition,
    read_unlock_condition,
    unlock_condition_from_json,
)
from tanglehub.protocol.params import ProtocolParameters
from tanglehub.protocol.rent import min_deposit_basic, storage_deposit
from tanglehub.protocol.validation_errors import (
    InsufficientStorageDepositError,
    InvalidFeatureError,
    InvalidUnlockConditionError,
    OutputAmountError,
    StorageDepositReturnError,
)

__all__ = [
    "OutputBase",
    "json_immutable_features",
]

_U64 = (1 << 64) - 1
_UC = TypeVar("_UC", bound=UnlockCondition)
_F = TypeVar("_F", bound=Feature)


class OutputBase(CachedSerializable):
    """Behaviour shared by Basic, Alias, Foundry and NFT outputs (not instantiable on its own)."""

    __slots__ = ()
    KIND: ClassVar[int]
    ALLOWED_UNLOCK_CONDITIONS: ClassVar[tuple[type[Any], ...]]
    REQUIRED_UNLOCK_CONDITIONS: ClassVar[tuple[type[Any], ...]]
    ALLOWED_FEATURES: ClassVar[tuple[type[Any], ...]]
    ALLOWED_IMMUTABLE_FEATURES: ClassVar[tuple[type[Any], ...]] = ()

    amount: int
    native_tokens: tuple[NativeToken, ...]
    unlock_conditions: tuple[UnlockCondition, ...]
    features: tuple[Feature, ...]

    # -- checks ------------------------------------------------------------------------------------------

    def _check_common(self) -> None:
        """The parameter-free TIP-18 checks every output kind runs in ``__post_init__``."""
        amount = self.amount
        if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= _U64:
            raise OutputAmountError(f"{self.NAME} amount must be in 1..{_U64}, got {amount!r}")
        object.__setattr__(self, "native_tokens", check_native_tokens(self.native_tokens))
        ucs = check_kind_list(
            self.unlock_conditions,
            self.ALLOWED_UNLOCK_CONDITIONS,
            what="unlock condition",
            error=InvalidUnlockConditionError,
            owner=self.NAME,
            required=self.REQUIRED_UNLOCK_CONDITIONS,
        )
        object.__setattr__(self, "unlock_conditions", ucs)
        features = check_kind_list(
            self.features, self.ALLOWED_FEATURES, what="feature", error=InvalidFeatureError, owner=self.NAME
        )
        object.__setattr__(self, "features", features)
        if self.ALLOWED_IMMUTABLE_FEATURES:
            immutable = check_kind_list(
                getattr(self, "immutable_features"),  # noqa: B009 - only chain outputs have the field
                self.ALLOWED_IMMUTABLE_FEATURES,
                what="immutable feature",
                error=InvalidFeatureError,
                owner=self.NAME,
            )
            object.__setattr__(self, "immutable_features", immutable)

    def validate(self, params: ProtocolParameters) -> None:
        """The checks that need protocol parameters: amount within the token supply, amount covering
        the storage deposit, and a storage deposit return between the minimum deposit and the amount."""
        if self.amount > params.token_supply:
            raise OutputAmountError(
                f"{self.NAME} amount {self.amount} exceeds the token supply {params.token_supply}"
            )
        required = storage_deposit(self, params.rent_structure)
        if self.amount < required:
            raise InsufficientStorageDepositError(
                f"{self.NAME} holds {self.amount} but its storage deposit is {required}",
                required=required,
                amount=self.amount,
            )
        sdruc = self.unlock_condition(StorageDepositReturnUnlockCondition)
        if sdruc is not None:
            if sdruc.amount > self.amount:
                raise StorageDepositReturnError(
                    f"storage deposit return of {sdruc.amount} exceeds the output amount {self.amount}"
                )
            minimum = min_deposit_basic(params.rent_structure)
            if sdruc.amount < minimum:
                raise StorageDepositReturnError(
                    f"storage deposit return of {sdruc.amount} is below the minimum deposit {minimum}"
                )

    # -- accessors ---------------------------------------------------------------------------------------

    @property
    @abstractmethod
    def address(self) -> Address:
        """The address that owns this output: the Address unlock condition's (Basic, NFT), the state
        controller (Alias) or the controlling alias (Foundry)."""

    def unlock_condition(self, kind: type[_UC]) -> _UC | None:
        """The unlock condition of class ``kind``, or ``None``."""
        for uc in self.unlock_conditions:
            if type(uc) is kind:
                return uc
        return None

    def feature(self, kind: type[_F]) -> _F | None:
        """The (mutable) feature of class ``kind``, or ``None``."""
        for f in self.features:
            if type(f) is kind:
                return f
        return None

    def immutable_feature(self, kind: type[_F]) -> _F | None:
        """The immutable feature of class ``kind``, or ``None`` (always ``None`` for Basic outputs)."""
        for f in getattr(self, "immutable_features", ()):
            if type(f) is kind:
                return f
        return None

    def storage_deposit(self, params: ProtocolParameters) -> int:
        """The least amount this output must hold on the network of ``params``."""
        return storage_deposit(self, params.rent_structure)

    # -- codec pieces ------------------------------------------------------------------------------------

    def _write_head(self, w: Writer) -> None:
        w.u8(self.KIND)
        w.u64(self.amount)
        write_native_tokens(w, self.native_tokens)

    def _write_lists(self, w: Writer) -> None:
        w.u8(len(self.unlock_conditions))
        for uc in self.unlock_conditions:
            uc.write_to(w)
        w.u8(len(self.features))
        for f in self.features:
            f.write_to(w)
        if self.ALLOWED_IMMUTABLE_FEATURES:
            immutable: tuple[Feature, ...] = getattr(self, "immutable_features")  # noqa: B009
            w.u8(len(immutable))
            for f in immutable:
                f.write_to(w)

    @classmethod
    def _read_head(cls, r: Reader) -> tuple[int, tuple[NativeToken, ...]]:
        at = r.offset
        kind = r.u8("output type")
        if kind != cls.KIND:
            raise DecodeError(f"expected {cls.NAME} (type {cls.KIND}), got output type {kind}", at)
        return r.u64("amount"), read_native_tokens(r)

    @classmethod
    def _read_lists(
        cls, r: Reader
    ) -> tuple[tuple[UnlockCondition, ...], tuple[Feature, ...], tuple[Feature, ...]]:
        ucs = read_counted(r, read_unlock_condition, "unlock condition", len(cls.ALLOWED_UNLOCK_CONDITIONS))
        features = read_counted(r, read_feature, "feature", len(cls.ALLOWED_FEATURES))
        immutable: tuple[Feature, ...] = ()
        if cls.ALLOWED_IMMUTABLE_FEATURES:
            immutable = read_counted(r, read_feature, "immutable feature", len(cls.ALLOWED_IMMUTABLE_FEATURES))
        return ucs, features, immutable

    def _json_head(self) -> JsonObject:
        d: JsonObject = {"type": self.KIND, "amount": str(self.amount)}
        if self.native_tokens:
            d["nativeTokens"] = [t.to_json() for t in self.native_tokens]
        return d

    def _json_lists(self, d: JsonObject) -> JsonObject:
        d["unlockConditions"] = [uc.to_json() for uc in self.unlock_conditions]
        if self.features:
            d["features"] = [f.to_json() for f in self.features]
        immutable: tuple[Feature, ...] = getattr(self, "immutable_features", ())
        if immutable:
            d["immutableFeatures"] = [f.to_json() for f in immutable]
        return d

    @classmethod
    def _json_object(cls, d: object, path: str) -> Mapping[str, Any]:
        """The JSON object ``d``, checked to be an output of this class's type."""
        obj, kind = json_kind(d, path)
        if kind != cls.KIND:
            raise JsonShapeError(f"expected output type {cls.KIND}, got {kind}", sub(path, "type"))
        return obj

    @staticmethod
    def _json_common(
        obj: Mapping[str, Any], path: str
    ) -> tuple[int, tuple[NativeToken, ...], tuple[UnlockCondition, ...], tuple[Feature, ...]]:
        amount = int_from_dec(get_field(obj, "amount", path), sub(path, "amount"))
        tokens_path = sub(path, "nativeTokens")
        tokens = tuple(
            NativeToken.from_json(t, sub(tokens_path, i))
            for i, t in enumerate(optional_json_list(obj, "nativeTokens", path))
        )
        ucs_path = sub(path, "unlockConditions")
        ucs = tuple(
            unlock_condition_from_json(u, sub(ucs_path, i))
            for i, u in enumerate(require_list(get_field(obj, "unlockConditions", path), ucs_path))
        )
        return amount, tokens, ucs, _json_features(obj, "features", path)


def _json_features(obj: Mapping[str, Any], key: str, path: str) -> tuple[Feature, ...]:
    list_path = sub(path, key)
    return tuple(feature_from_json(f, sub(list_path, i)) for i, f in enumerate(optional_json_list(obj, key, path)))


def json_immutable_features(obj: Mapping[str, Any], path: str) -> tuple[Feature, ...]:
    """Parse the optional ``immutableFeatures`` list."""
    return _json_features(obj, "immutableFeatures", path)
