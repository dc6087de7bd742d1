"""Tagged data payload: TIP-24 example, JSON omission rules, limits."""

from __future__ import annotations

import pytest

from tanglehub.protocol.errors import DecodeError, InvalidPayloadError, JsonShapeError
from tanglehub.protocol.payload import TaggedDataPayload, payload_from_bytes, payload_from_json


def test_layout() -> None:
    p = TaggedDataPayload(b"IOTA", b"hello world")
    assert p.to_bytes().hex() == "0500000004494f54410b00000068656c6c6f20776f726c64"
    assert payload_from_bytes(p.to_bytes()) == p


def test_empty_fields_are_omitted_and_accepted_missing_or_null() -> None:
    assert TaggedDataPayload().to_json() == {"type": 5}
    assert payload_from_json({"type": 5}) == TaggedDataPayload()
    assert payload_from_json({"type": 5, "tag": None, "data": "0x01"}) == TaggedDataPayload(b"", b"\x01")
    p = TaggedDataPayload(b"t", b"d")
    assert p.to_json() == {"type": 5, "tag": "0x74", "data": "0x64"}


def test_tag_longer_than_64_bytes_is_rejected() -> None:
    with pytest.raises(InvalidPayloadError, match="at most 64"):
        TaggedDataPayload(b"x" * 65)
    raw = b"\x05\x00\x00\x00" + bytes([65]) + b"x" * 65 + b"\x00\x00\x00\x00"
    with pytest.raises(DecodeError) as info:
        payload_from_bytes(raw)
    assert info.value.offset == 4
    with pytest.raises(JsonShapeError) as jinfo:
        payload_from_json({"type": 5, "tag": "0x" + "00" * 65}, "payload")
    assert jinfo.value.path == "payload.tag"


def test_unknown_payload_type() -> None:
    with pytest.raises(DecodeError, match="unsupported payload type 4"):
        payload_from_bytes(b"\x04\x00\x00\x00")
    with pytest.raises(JsonShapeError, match="unsupported payload type 2"):
        payload_from_json({"type": 2})


def test_trailing_bytes_rejected() -> None:
    with pytest.raises(DecodeError, match="trailing"):
        payload_from_bytes(TaggedDataPayload(b"a", b"b").to_bytes() + b"\x00")
