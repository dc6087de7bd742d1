"""``tanglehub signer``: the signing server's commands (init, certs, serve, audit verify).

The password comes from ``TANGLEHUB_SIGNER_PASSWORD`` or a prompt, never from the command line; an imported
mnemonic is read from standard input. Bad input is one ``error:`` line and exit code 2, never a traceback.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated

import typer

from tanglehub.cli.password import read_password
from tanglehub.dirlock import DirectoryLock
from tanglehub.errors import TanglehubError
from tanglehub.keys.slip10 import SHIMMER_COIN_TYPE
from tanglehub.signer.audit import verify_log
from tanglehub.signer.certs import make_certificates
from tanglehub.signer.errors import SignerConfigError
from tanglehub.signer.home import SignerHome, open_service
from tanglehub.signer.legacy import new_salt, seal_salt
from tanglehub.signer.policy import load_policy, policy_toml
from tanglehub.signer.server import make_server, serve_until_signalled, tls_files
from tanglehub.signer.state import SignerState
from tanglehub.vault import KdfParams, VaultStore

__all__ = ["app"]

app = typer.Typer(
    name="signer",
    help="The signing server: keys in their own process, behind mutual TLS, signing only what its policy allows.",
    no_args_is_help=True,
)
audit_app = typer.Typer(name="audit", help="The signer's hash-chained audit log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")

PASSWORD_ENV = "TANGLEHUB_SIGNER_PASSWORD"  # noqa: S105 - the variable's name, not a password
_KDF = {"moderate": KdfParams.MODERATE, "sensitive": KdfParams.SENSITIVE, "interactive": KdfParams.INTERACTIVE}

DataDir = Annotated[Path, typer.Option("--data-dir", help="The signer's data directory.")]


def _fail(exc: TanglehubError) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(2)


def _password(confirm: bool) -> str:
    return read_password(
        PASSWORD_ENV,
        prompt="signer vault password: ",
        what="password",
        error=SignerConfigError,
        confirm=confirm,
        undone="written",
    )


@app.command("init")
def init(  # noqa: PLR0917 - typer options
    data_dir: DataDir,
    import_mnemonic: Annotated[
        bool, typer.Option("--import", help="Read an existing mnemonic from standard input instead of a new one.")
    ] = False,
    network_name: Annotated[str, typer.Option(help="The network the signer signs for.")] = "tanglehub-devnet",
    hrp: Annotated[str, typer.Option(help="The network's bech32 HRP.")] = "tst",
    coin_type: Annotated[int, typer.Option(help="BIP44 coin type (4218 IOTA, 4219 Shimmer).")] = SHIMMER_COIN_TYPE,
    node_url: Annotated[
        str | None, typer.Option(help="A node the signer asks to prove an old transaction dead.")
    ] = None,
    kdf: Annotated[str, typer.Option(help="Vault key-derivation strength: moderate, sensitive, interactive.")] = (
        "moderate"
    ),
    key_scheme: Annotated[
        str,
        typer.Option(help="Deposit keys: 'hd' (BIP44, default) or 'legacy-hub' (Argon2id(seed UUID, salt)). "),
    ] = "hd",
) -> None:
    """Create the vault (a new mnemonic shown once, or --import) and a starting policy file."""
    try:
        params = _KDF.get(kdf)
        if params is None:
            raise SignerConfigError(f"--kdf must be one of {', '.join(_KDF)}, got {kdf!r}")
        if key_scheme not in ("hd", "legacy-hub"):
            raise SignerConfigError(f"--key-scheme must be hd or legacy-hub, got {key_scheme!r}")
        home = SignerHome(data_dir)
        if home.vault.exists():
            raise SignerConfigError(
                f"{home.vault} already exists; a signer is never initialized twice over its vault"
            )
        mnemonic = sys.stdin.read() if import_mnemonic else None
        if import_mnemonic and not (mnemonic or "").strip():
            raise SignerConfigError("--import: no mnemonic on standard input")
        password = _password(confirm=True)
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        store = VaultStore(home.vault, kdf=params, idle_timeout=None)
        store.create(password)
        if mnemonic is not None:
            store.store_mnemonic(mnemonic)
            shown = None
        else:
            shown = store.generate_mnemonic()
        store.lock()
        if key_scheme == "legacy-hub":
            seal_salt(home.legacy_salt, new_salt(), password, params)
        if not home.policy.exists():
            home.policy.write_text(
                policy_toml(network_name, hrp, coin_type, node_url, legacy_deposits=key_scheme == "legacy-hub"),
                "utf-8",
            )
        load_policy(home.policy)
    except TanglehubError as exc:
        raise _fail(exc) from None
    typer.echo(f"signer initialized in {data_dir}")
    typer.echo(f"policy: {home.policy} (review the limits before production)")
    if shown is not None:
        typer.echo("\nYOUR MNEMONIC (shown once; write it down and keep it offline):\n")
        typer.echo(shown.reveal())
        typer.echo("")
    typer.echo(f"next: tanglehub signer certs --data-dir {data_dir}; tanglehub signer serve --data-dir {data_dir}")


@app.command("certs")
def certs(
    data_dir: DataDir,
    host: Annotated[
        list[str] | None, typer.Option("--host", help="Extra server host name or IP (repeatable).")
    ] = None,
) -> None:
    """Make a local CA, the signer's server certificate and the hub's client certificate (in <data-dir>/certs)."""
    try:
        paths = make_certificates(SignerHome(data_dir).certs, host or [])
    except TanglehubError as exc:
        raise _fail(exc) from None
    typer.echo(f"CA:     {paths.ca_cert}")
    typer.echo(f"server: {paths.server_cert} + {paths.server_key}")
    typer.echo(f"hub:    {paths.client_cert} + {paths.client_key} (copy these and the CA to the hub)")


@app.command("serve")
def serve(  # noqa: PLR0917 - typer options
    data_dir: DataDir,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port (HTTPS with mutual TLS only).")] = 14300,
    cert: Annotated[
        Path | None, typer.Option(help="Server certificate (default <data-dir>/certs/server.pem).")
    ] = None,
    key: Annotated[Path | None, typer.Option(help="Server key (default <data-dir>/certs/server-key.pem).")] = None,
    client_ca: Annotated[
        Path | None, typer.Option(help="CA of accepted client certificates (default <data-dir>/certs/ca.pem).")
    ] = None,
) -> None:
    """Serve the signer API over HTTPS with mutual TLS (plain HTTP is refused); SIGTERM stops it cleanly."""
    home = SignerHome(data_dir)
    try:
        if not 1 <= port <= 65535:
            raise SignerConfigError(f"--port must be 1..65535, got {port}")
        tls = tls_files(
            cert or home.certs / "server.pem",
            key or home.certs / "server-key.pem",
            client_ca or home.certs / "ca.pem",
        )
        home.check_initialized()
        lock = DirectoryLock.acquire(
            home.lock,
            busy=lambda pid: SignerConfigError(
                f"the signer directory {data_dir} is already served by another process "
                f"(pid {pid if pid is not None else 'unknown'}); one signer per directory"
            ),
            failed=SignerConfigError,
        )
        password = _password(confirm=False)
        service = asyncio.run(open_service(home, password))
    except TanglehubError as exc:
        raise _fail(exc) from None
    typer.echo(f"signer serving https://{host}:{port} (mutual TLS) for {service.policy.network_name!r}")
    server = make_server(service, host, port, tls, log_level="warning")
    try:
        asyncio.run(serve_until_signalled(server))
    finally:
        service.state.close()
        lock.release()


@audit_app.command("verify")
def audit_verify(data_dir: DataDir) -> None:
    """Check the audit log's hash chain; name the first bad record if any (exit 2)."""
    home = SignerHome(data_dir)
    try:
        if not home.state.exists():
            raise SignerConfigError(f"no signer state in {data_dir}")
        state = SignerState(home.state)
        try:
            count = verify_log(state.audit_records(), state.audit_head(), state.unaudited_requests())
            head = state.audit_head()
        finally:
            state.close()
    except TanglehubError as exc:
        raise _fail(exc) from None
    typer.echo(f"audit log intact: {count} record(s)")
    if head is not None:
        typer.echo(
            f"head: record {head[0]}, hash 0x{head[1].hex()} (keep this line elsewhere to detect a rollback)"
        )
