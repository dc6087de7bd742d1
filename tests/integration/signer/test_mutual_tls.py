"""The signer speaks HTTPS with mutual TLS only: no client certificate, a certificate of another CA and plain
HTTP are all refused before any route runs; the hub's certificate gets through."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.signer_fixtures import make_harness

from tanglehub.devnet.server import free_port
from tanglehub.signer.certs import CertPaths, make_certificates
from tanglehub.signer.client import RemoteSigner
from tanglehub.signer.errors import RefusalReason, SignerConfigError, SignerUnavailable, SigningRefused
from tanglehub.signer.server import BackgroundSigner, tls_files


@pytest.fixture
def certs(tmp_path: Path) -> CertPaths:
    return make_certificates(tmp_path / "certs")


@pytest.fixture
def server(tmp_path: Path, certs: CertPaths) -> Iterator[BackgroundSigner]:
    h = make_harness(tmp_path)
    tls = tls_files(certs.server_cert, certs.server_key, certs.ca_cert)
    with BackgroundSigner(h.service, tls, free_port()) as srv:
        yield srv


async def test_the_hub_certificate_gets_through_and_derives_addresses(
    server: BackgroundSigner, certs: CertPaths
) -> None:
    client = RemoteSigner(server.url, certs.ca_cert, certs.client_cert, certs.client_key)
    try:
        health = await client.health()
        assert health["networkName"] == "tanglehub-devnet"
        hashes = await client.derive_addresses(0, 0, 5, 3)
        assert [len(h) for h in hashes] == [32, 32, 32]
        assert await client.derive_addresses(0, 0, 6, 1) == hashes[1:2]
        with pytest.raises(SigningRefused) as info:
            await client.derive_addresses(9, 0, 0, 1)
        assert info.value.reason is RefusalReason.INPUT_NOT_OWNED
    finally:
        await client.aclose()


def test_no_client_certificate_is_refused(server: BackgroundSigner, certs: CertPaths) -> None:
    ctx = ssl.create_default_context(cafile=str(certs.ca_cert))
    with (
        httpx.Client(verify=ctx) as c,
        pytest.raises((httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError)),
    ):
        c.get(server.url + "/health")


def test_a_certificate_from_another_ca_is_refused(
    server: BackgroundSigner, certs: CertPaths, tmp_path: Path
) -> None:
    other = make_certificates(tmp_path / "other")
    ctx = ssl.create_default_context(cafile=str(certs.ca_cert))
    ctx.load_cert_chain(str(other.client_cert), str(other.client_key))
    with (
        httpx.Client(verify=ctx) as c,
        pytest.raises((httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError)),
    ):
        c.get(server.url + "/health")


def test_plain_http_is_refused(server: BackgroundSigner) -> None:
    plain_url = server.url.replace("https://", "http://") + "/health"
    with httpx.Client() as c:
        try:
            r = c.get(plain_url)
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.ConnectError):
            return  # the TLS listener drops the plaintext request
    assert r.status_code != 200, "the signer answered plain HTTP"


def test_the_client_refuses_plain_http_urls_and_missing_files(certs: CertPaths, tmp_path: Path) -> None:
    with pytest.raises(SignerConfigError, match="https"):
        RemoteSigner("http://127.0.0.1:1", certs.ca_cert, certs.client_cert, certs.client_key)
    with pytest.raises(SignerConfigError, match="client key"):
        RemoteSigner("https://127.0.0.1:1", certs.ca_cert, certs.client_cert, tmp_path / "missing.pem")


async def test_an_unreachable_signer_is_signer_unavailable(certs: CertPaths) -> None:
    client = RemoteSigner(f"https://127.0.0.1:{free_port()}", certs.ca_cert, certs.client_cert, certs.client_key)
    try:
        with pytest.raises(SignerUnavailable, match="unreachable"):
            await client.health()
    finally:
        await client.aclose()


def test_certificates_are_never_overwritten(certs: CertPaths) -> None:
    with pytest.raises(SignerConfigError, match="refusing to overwrite"):
        make_certificates(certs.ca_cert.parent)
    assert oct(certs.ca_key.stat().st_mode & 0o777) == "0o600"
