"""Node error answers and transport failures map to the node error classes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tanglehub.errors import CODES, NodeError
from tanglehub.node import (
    NodeBadResponse,
    NodeClient,
    NodeNotFound,
    NodeRejected,
    NodeTimeout,
    NodeUnavailable,
)


def client(handler: Any) -> NodeClient:
    return NodeClient("http://node.test", transport=httpx.MockTransport(handler))


def answering(status: int, body: Any = None, content: bytes | None = None) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        if content is not None:
            return httpx.Response(status, content=content)
        return httpx.Response(status, json=body)

    return handler


def raising(exc: Exception) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return handler


async def test_404_is_not_found_with_the_node_message(nd: Any) -> None:
    node = client(answering(404, nd.error_body(404, "output not found")))
    with pytest.raises(NodeNotFound, match="output not found") as info:
        await node.get_output_metadata(nd.OUTPUT_ID)
    assert info.value.status == 404
    assert info.value.node_message == "output not found"
    assert info.value.code == "NODE_NOT_FOUND"


@pytest.mark.parametrize("status", [400, 403, 415])
async def test_client_errors_are_rejections_carrying_the_message(nd: Any, status: int) -> None:
    node = client(answering(status, nd.error_body(status, "invalid block: parents not sorted")))
    with pytest.raises(NodeRejected, match="parents not sorted") as info:
        await node.post_block_raw(b"\x02\x00")
    assert info.value.status == status
    assert info.value.node_message == "invalid block: parents not sorted"


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_errors_are_unavailable(nd: Any, status: int) -> None:
    node = client(answering(status, nd.error_body(status, "node is not synced")))
    with pytest.raises(NodeUnavailable, match="not synced") as info:
        await node.get_tips()
    assert info.value.status == status
    assert not isinstance(info.value, NodeTimeout)


async def test_error_without_json_body_still_maps() -> None:
    node = client(answering(502, content=b"<html>Bad Gateway</html>"))
    with pytest.raises(NodeUnavailable, match="Bad Gateway"):
        await node.get_info()


@pytest.mark.parametrize(
    "exc", [httpx.ReadTimeout("slow"), httpx.ConnectTimeout("slow"), httpx.PoolTimeout("slow")]
)
async def test_timeouts(exc: Exception) -> None:
    with pytest.raises(NodeTimeout, match="did not answer in time") as info:
        await client(raising(exc)).get_info()
    assert info.value.__cause__ is exc
    assert isinstance(info.value, NodeUnavailable)


@pytest.mark.parametrize(
    "exc", [httpx.ConnectError("refused"), httpx.RemoteProtocolError("eof"), httpx.ReadError("reset")]
)
async def test_connection_errors_are_unavailable(exc: Exception) -> None:
    with pytest.raises(NodeUnavailable, match=r"cannot reach node at http://node\.test") as info:
        await client(raising(exc)).get_info()
    assert info.value.__cause__ is exc


async def test_non_json_success_is_a_bad_response() -> None:
    with pytest.raises(NodeBadResponse, match="not JSON"):
        await client(answering(200, content=b"hello")).get_info()


@pytest.mark.parametrize(
    "body",
    [[], {"tips": "0x00"}, {"tips": ["0x1234"]}, {"tips": [5]}, {}],
)
async def test_wrong_shapes_are_bad_responses(body: Any) -> None:
    with pytest.raises(NodeBadResponse, match="tips"):
        await client(answering(200, body)).get_tips()


def test_every_node_error_has_its_own_stable_code() -> None:
    node_codes = {code: cls.__name__ for code, cls in CODES.items() if issubclass(cls, NodeError)}
    assert node_codes == {
        "NODE_ERROR": "NodeError",
        "NODE_ANSWER": "_NodeAnswer",
        "NODE_BAD_ARGUMENT": "NodeArgumentError",
        "NODE_NOT_FOUND": "NodeNotFound",
        "NODE_REJECTED": "NodeRejected",
        "NODE_BAD_RESPONSE": "NodeBadResponse",
        "NODE_UNAVAILABLE": "NodeUnavailable",
        "NODE_TIMEOUT": "NodeTimeout",
        "NODE_UNHEALTHY": "NodeUnhealthy",
        "NODE_NONE_HEALTHY": "NoHealthyNode",
        "NODE_NETWORK_MISMATCH": "NetworkMismatch",
        "NODE_MILESTONE_PRUNED": "MilestonePruned",
    }
