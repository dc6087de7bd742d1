"""A local certificate authority for mutual TLS between the hub and the signer (``tanglehub signer certs``).

For setups without their own PKI: one self-signed CA (ECDSA P-256), a server certificate for the signer
(SAN ``localhost``, ``127.0.0.1`` and any extra host names given) and a client certificate for the hub, all
signed by that CA, made with the ``cryptography`` library. Private keys are written with mode 0600. The
signer trusts only client certificates of its CA; the hub trusts only server certificates of the same CA.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tanglehub.signer.errors import SignerConfigError

__all__ = ["CertPaths", "make_certificates"]

_VALID_DAYS = 825


@dataclass(frozen=True, slots=True)
class CertPaths:
    """Where :func:`make_certificates` wrote the files (PEM)."""

    ca_cert: Path
    ca_key: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def _write(path: Path, data: bytes, private: bool) -> None:
    if path.exists():
        raise SignerConfigError(f"{path} already exists; refusing to overwrite a certificate or key")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "tanglehub local CA"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _builder(
    subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey
) -> x509.CertificateBuilder:
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=_VALID_DAYS))
    )


def _leaf(
    ca_key: ec.EllipticCurvePrivateKey, ca_name: x509.Name, common_name: str, server_hosts: Sequence[str] | None
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    builder = _builder(_name(common_name), ca_name, key.public_key()).add_extension(
        x509.BasicConstraints(ca=False, path_length=None), critical=True
    )
    if server_hosts is not None:
        names: list[x509.GeneralName] = []
        for host in server_hosts:
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(host)))
            except ValueError:
                names.append(x509.DNSName(host))
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False).add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
    else:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
    return builder.sign(ca_key, hashes.SHA256()), key


def make_certificates(directory: Path, hosts: Sequence[str] = ()) -> CertPaths:
    """Create ``ca.pem``/``ca-key.pem``, ``server.pem``/``server-key.pem`` and ``hub-client.pem``/
    ``hub-client-key.pem`` in ``directory`` (created if needed). Existing files are never overwritten
    (:class:`SignerConfigError`). ``hosts`` are extra DNS names or IP addresses for the server certificate."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = CertPaths(
        directory / "ca.pem",
        directory / "ca-key.pem",
        directory / "server.pem",
        directory / "server-key.pem",
        directory / "hub-client.pem",
        directory / "hub-client-key.pem",
    )
    for p in (
        paths.ca_cert,
        paths.ca_key,
        paths.server_cert,
        paths.server_key,
        paths.client_cert,
        paths.client_key,
    ):
        if p.exists():
            raise SignerConfigError(f"{p} already exists; refusing to overwrite a certificate or key")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("tanglehub signer CA")
    ca_cert = (
        _builder(ca_name, ca_name, ca_key.public_key())
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    server_hosts = ["localhost", "127.0.0.1", *[h for h in hosts if h not in ("localhost", "127.0.0.1")]]
    server_cert, server_key = _leaf(ca_key, ca_name, "tanglehub signer", server_hosts)
    client_cert, client_key = _leaf(ca_key, ca_name, "tanglehub hub", None)
    pem = serialization.Encoding.PEM
    _write(paths.ca_key, _key_pem(ca_key), private=True)
    _write(paths.ca_cert, ca_cert.public_bytes(pem), private=False)
    _write(paths.server_key, _key_pem(server_key), private=True)
    _write(paths.server_cert, server_cert.public_bytes(pem), private=False)
    _write(paths.client_key, _key_pem(client_key), private=True)
    _write(paths.client_cert, client_cert.public_bytes(pem), private=False)
    return paths
