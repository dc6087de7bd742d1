"""Argon2id parameter bounds: values from a file or a caller are checked before libsodium sees them."""

from __future__ import annotations

import pytest

from tanglehub.vault import InvalidKdfParametersError, KdfParams


@pytest.mark.parametrize(
    ("opslimit", "memlimit"),
    [(0, 8192), (1, 4096), (33, 8192), (1, 2**33), (True, 8192), ("3", 8192), (1.0, 8192)],
)
def test_out_of_range_parameters_are_refused(opslimit: object, memlimit: object) -> None:
    with pytest.raises(InvalidKdfParametersError, match="Argon2id"):
        KdfParams(opslimit, memlimit)  # type: ignore[arg-type]


def test_presets_are_ordered_by_cost() -> None:
    presets = [KdfParams.MINIMUM, KdfParams.INTERACTIVE, KdfParams.MODERATE, KdfParams.SENSITIVE]
    assert [p.memlimit for p in presets] == sorted(p.memlimit for p in presets)
    assert KdfParams(3, 256 * 1024 * 1024) == KdfParams.MODERATE
