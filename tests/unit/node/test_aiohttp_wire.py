"""AiohttpWire (NodeClient's default wire) against a real TCP server scripted per connection: framing,
keep-alive, resends, failures, proxies and the session's lifecycle."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from tanglehub.node import NodeClient, NodeTimeout, NodeUnavailable
from tanglehub.node.aiohttp_wire import AiohttpWire, env_proxy
from tanglehub.node.transport import RawResponse

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class Server:
    """A TCP server whose ``handler`` serves each connection; counts connections and requests."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.connections = 0
        self.requests: list[bytes] = []
        self.server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def read_request(self, reader: asyncio.StreamReader) -> bytes:
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        body = await reader.readexactly(length) if length else b""
        self.requests.append(head + body)
        return head + body

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            await self.handler(reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Handler], Awaitable[Server]]]:
    servers: list[Server] = []

    async def start(handler: Handler) -> Server:
        server = Server(handler)
        server.server = await asyncio.start_server(server._serve, "127.0.0.1", 0)
        servers.append(server)
        return server

    yield start
    for s in servers:
        assert s.server is not None
        s.server.close()
        await s.server.wait_closed()


def ok(body: bytes, extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s" % (len(body), extra, body)


async def test_keep_alive_reuses_one_connection(serve: Callable[[Handler], Awaitable[Server]]) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            request = await server.read_request(reader)
            writer.write(ok(request.split(b" ")[1]))

    server = await serve(handler)
    client = AiohttpWire(server.url, timeout=5, headers={"User-Agent": "t"})
    for i in range(5):
        response = await client.request("GET", f"/x/{i}?a=b")
        assert (response.status, response.content, response.path) == (200, f"/x/{i}?a=b".encode(), f"/x/{i}")
    assert server.connections == 1
    assert b"Host: 127.0.0.1:" in server.requests[0]
    assert b"User-Agent: t" in server.requests[0]
    await client.aclose()


async def test_chunked_body_and_post_body(serve: Callable[[Handler], Awaitable[Server]]) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await server.read_request(reader)
        body = request.split(b"\r\n\r\n", 1)[1]
        parts = [body[i : i + 3] for i in range(0, len(body), 3)]
        chunks = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts)
        writer.write(b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n")

    server = await serve(handler)
    client = AiohttpWire(server.url, timeout=5, headers={})
    response = await client.request("POST", "/blocks", [("Content-Type", "x")], b"0123456789")
    assert (response.status, response.content) == (201, b"0123456789")
    await client.aclose()


async def test_server_closing_idle_connection_is_resent_on_a_new_one(
    serve: Callable[[Handler], Awaitable[Server]],
) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await server.read_request(reader)
        writer.write(ok(b"one"))  # keep-alive promised, then closed (an idle timeout)

    server = await serve(handler)
    client = AiohttpWire(server.url, timeout=5, headers={})
    assert (await client.request("GET", "/a")).content == b"one"
    assert (await client.request("GET", "/b")).content == b"one"
    assert server.connections == 2
    await client.aclose()


async def test_connection_close_answer_is_not_reused(serve: Callable[[Handler], Awaitable[Server]]) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await server.read_request(reader)
        writer.write(ok(b"bye", b"Connection: close\r\n"))
        await writer.drain()
        await asyncio.sleep(0.2)  # the connection stays open a while: the client must not reuse it anyway

    server = await serve(handler)
    client = AiohttpWire(server.url, timeout=5, headers={})
    await client.request("GET", "/a")
    await client.request("GET", "/b")
    assert server.connections == 2
    await client.aclose()


async def test_body_cut_short_is_node_unavailable(serve: Callable[[Handler], Awaitable[Server]]) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await server.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1024\r\n\r\n{")  # the devnet's drop fault

    server = await serve(handler)
    client = AiohttpWire(server.url, timeout=5, headers={})
    with pytest.raises(NodeUnavailable, match="broke off GET /outputs"):
        await client.request("GET", "/outputs?x=1")
    await client.aclose()


async def test_no_answer_in_time_is_node_timeout(serve: Callable[[Handler], Awaitable[Server]]) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await server.read_request(reader)
        await asyncio.sleep(5)

    server = await serve(handler)
    client = AiohttpWire(server.url, timeout=0.1, headers={})
    with pytest.raises(NodeTimeout, match="did not answer"):
        await client.request("GET", "/slow")
    await client.aclose()


async def test_refused_connection_is_node_unavailable() -> None:
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    async with NodeClient(f"http://127.0.0.1:{port}") as node:
        with pytest.raises(NodeUnavailable, match="cannot reach node"):
            await node.get_info()


async def test_node_client_maps_status_and_json(serve: Callable[[Handler], Awaitable[Server]]) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            await server.read_request(reader)
            body = b'{"error":{"code":"503","message":"busy"}}'
            writer.write(b"HTTP/1.1 503 Busy\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))

    server = await serve(handler)
    async with NodeClient(server.url + "/prefix") as node:
        with pytest.raises(NodeUnavailable, match="answered 503 to GET /prefix/api/core/v2/tips: busy"):
            await node.get_tips()
    assert server.requests[0].startswith(b"GET /prefix/api/core/v2/tips HTTP/1.1\r\n")


async def test_get_on_a_connection_the_server_dropped_is_resent(
    serve: Callable[[Handler], Awaitable[Server]],
) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        first = server.connections == 1
        await server.read_request(reader)
        writer.write(ok(b"one" if first else b"two"))
        if first:
            await server.read_request(reader)  # the next request arrives as the server drops the connection

    server = await serve(handler)
    async with NodeClient(server.url) as node:
        assert await node._wire.request("GET", "/a") == RawResponse("GET", "/a", 200, b"one")
        assert (await node._wire.request("GET", "/b")).content == b"two"
    assert server.connections == 2
    assert len(server.requests) == 3  # /a, /b on the dropped connection, /b again on a new one


async def test_post_on_a_connection_the_server_dropped_is_not_resent(
    serve: Callable[[Handler], Awaitable[Server]],
) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await server.read_request(reader)
        writer.write(ok(b"{}"))
        await server.read_request(reader)

    server = await serve(handler)
    async with NodeClient(server.url) as node:
        await node._wire.request("GET", "/a")
        with pytest.raises(NodeUnavailable, match="broke off POST /api/core/v2/blocks"):
            await node.post_block_raw(b"\x02" * 40)
    assert server.connections == 1
    head, _, body = server.requests[1].partition(b"\r\n\r\n")
    assert b"Content-Type: application/vnd.iota.serializer-v1\r\n" in head
    assert body == b"\x02" * 40


async def test_redirect_is_followed(serve: Callable[[Handler], Awaitable[Server]]) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            request = await server.read_request(reader)
            if request.startswith(b"GET /old"):
                writer.write(b"HTTP/1.1 307 Moved\r\nLocation: /new\r\nContent-Length: 0\r\n\r\n")
            else:
                writer.write(ok(request.split(b" ")[1]))

    server = await serve(handler)
    wire = AiohttpWire(server.url, timeout=5, headers={})
    assert (await wire.request("GET", "/old")).content == b"/new"
    await wire.aclose()


async def test_environment_proxy_carries_the_requests(
    serve: Callable[[Handler], Awaitable[Server]], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            await server.read_request(reader)
            writer.write(ok(b'{"tips":["0x' + b"00" * 32 + b'"]}'))

    server = await serve(handler)
    monkeypatch.setenv("HTTP_PROXY", server.url)
    monkeypatch.setenv("NO_PROXY", "exempt.invalid")
    assert env_proxy("http://exempt.invalid:14265") is None
    async with NodeClient("http://node.invalid:14265") as node:
        assert await node.get_tips() == (bytes(32),)
    assert server.requests[0].startswith(b"GET http://node.invalid:14265/api/core/v2/tips HTTP/1.1\r\n")
    async with NodeClient("http://node.invalid:14265", proxy="") as direct:
        with pytest.raises(NodeUnavailable, match="cannot reach node"):
            await direct.get_tips()


def test_client_made_outside_a_loop_opens_and_closes_inside_one() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(ok(b'{"tips":[]}'))
        await writer.drain()
        writer.close()

    listener = socket.create_server(("127.0.0.1", 0))
    unused = NodeClient("http://127.0.0.1:9")  # no running loop here: nothing is opened, so nothing to close
    node = NodeClient(f"http://127.0.0.1:{listener.getsockname()[1]}")

    async def main() -> tuple[bytes, ...]:
        server = await asyncio.start_server(handler, sock=listener)
        try:
            return await node.get_tips()
        finally:
            await node.aclose()
            await unused.aclose()
            server.close()
            await server.wait_closed()

    assert asyncio.run(main()) == ()

    async def after_close() -> None:
        with pytest.raises(NodeUnavailable, match="is closed"):
            await node.get_tips()

    asyncio.run(after_close())
