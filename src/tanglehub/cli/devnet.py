"""``tanglehub devnet``: run the local devnet node (one log line per block and per milestone).

Start-up order: the API port is bound first (a taken port is one ``error:`` line and exit 2, before any
banner, mnemonic or milestone), then the data folder is locked (a second devnet on the same ``--data-dir``
is refused the same way), then the node starts. Ctrl-C and SIGTERM both shut it down cleanly (exit 0); during
start-up they stop it with exit 130, and when a new faucet mnemonic was already stored but not yet shown, the
file that holds it is named.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import sys
from pathlib import Path
from typing import Annotated

import typer

from tanglehub.cli.signals import sigterm_as_interrupt
from tanglehub.devnet.config import DEFAULT_FAUCET_AMOUNT, DevnetConfig
from tanglehub.devnet.errors import DevnetBadRequest, DevnetConfigError
from tanglehub.devnet.faults import FaultSettings
from tanglehub.devnet.genesis import MNEMONIC_FILE
from tanglehub.devnet.node import DevnetNode
from tanglehub.devnet.server import bind_port, serve

__all__ = ["COMMAND", "devnet"]

_LOG_LEVELS = ("debug", "info", "warning", "error")

COMMAND = "devnet"
"""Mounted by :mod:`tanglehub.cli.main` as the leaf command ``tanglehub devnet`` (it has no subcommands)."""


def _read_mnemonic(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise DevnetConfigError(f"cannot read the faucet mnemonic file {path}: {exc.strerror}") from exc


def devnet(  # noqa: PLR0917 - Typer maps each option to a parameter
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port of the node API.")] = 14265,
    data_dir: Annotated[
        Path | None, typer.Option(help="Keep the ledger here across restarts (default: in memory).")
    ] = None,
    milestone_interval: Annotated[
        float, typer.Option(help="Seconds between milestones; 0 = only on POST /api/devnet/v1/milestones.")
    ] = 1.0,
    network_name: Annotated[str, typer.Option(help="Network name (gives the network id).")] = "tanglehub-devnet",
    hrp: Annotated[str, typer.Option(help="Bech32 HRP of addresses.")] = "tst",
    min_pow_score: Annotated[int, typer.Option(help="Minimum PoW score (0 = no PoW).")] = 0,
    faucet_amount: Annotated[
        int, typer.Option(help="Base units paid per faucet request.")
    ] = DEFAULT_FAUCET_AMOUNT,
    faucet_mnemonic_file: Annotated[
        Path | None, typer.Option(help="File holding the faucet mnemonic (default: generated and stored).")
    ] = None,
    latency: Annotated[float, typer.Option(help="Fault: seconds added to every API request.")] = 0.0,
    error_rate: Annotated[float, typer.Option(help="Fault: share of API requests answered 503.")] = 0.0,
    drop_rate: Annotated[
        float, typer.Option(help="Fault: share of API requests with a dropped connection.")
    ] = 0.0,
    lose_block_rate: Annotated[float, typer.Option(help="Fault: share of submitted blocks silently lost.")] = 0.0,
    hold_next_blocks: Annotated[
        int, typer.Option(help="Fault: the next N submitted blocks stay unreferenced until reattached.")
    ] = 0,
    pause_milestones: Annotated[bool, typer.Option(help="Fault: start with milestones paused.")] = False,
    log_level: Annotated[str, typer.Option(help="Log level: debug, info, warning.")] = "info",
) -> None:
    """Run a local Stardust devnet node (core API v2, indexer v1, faucet, fault injection) until Ctrl-C or
    SIGTERM."""
    with sigterm_as_interrupt():
        sock = bind_port(host, port)
        try:
            _run(
                sock,
                DevnetConfig(
                    host=host,
                    port=int(sock.getsockname()[1]),
                    data_dir=data_dir,
                    milestone_interval=milestone_interval,
                    network_name=network_name,
                    hrp=hrp,
                    min_pow_score=min_pow_score,
                    faucet_amount=faucet_amount,
                    faucet_mnemonic=_read_mnemonic(faucet_mnemonic_file),
                    faults=_faults(
                        latency=latency,
                        error_rate=error_rate,
                        drop_rate=drop_rate,
                        lose_block_rate=lose_block_rate,
                        hold_next_blocks=hold_next_blocks,
                        milestones_paused=pause_milestones,
                    ),
                ),
                log_level,
            )
        finally:
            sock.close()


_FAULT_FLAGS = {
    "errorRate": "--error-rate",
    "dropRate": "--drop-rate",
    "loseBlockRate": "--lose-block-rate",
    "latency": "--latency",
    "loseNextBlocks and holdNextBlocks": "--hold-next-blocks",
}


def _faults(**settings: float | int | bool) -> FaultSettings:
    """The start-up faults; a bad value names the command-line flag (the API's messages use its JSON names)."""
    try:
        return FaultSettings(**settings)  # type: ignore[arg-type]
    except DevnetBadRequest as exc:
        message = str(exc)
        for json_name, flag in _FAULT_FLAGS.items():
            message = message.replace(f"fault {json_name} ", f"{flag} ")
        raise DevnetConfigError(message) from None


def _run(sock: socket.socket, config: DevnetConfig, log_level: str) -> None:
    if log_level.lower() not in _LOG_LEVELS:
        raise DevnetConfigError(f"unknown log level {log_level!r}; use one of {', '.join(_LOG_LEVELS)}")
    logging.basicConfig(
        level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    stored = None if config.data_dir is None else config.data_dir / MNEMONIC_FILE
    existed = stored is not None and stored.exists()
    try:
        node = DevnetNode(config)
    except KeyboardInterrupt:
        if stored is not None and not existed and stored.exists():
            typer.echo(
                f"interrupted during start-up: the new faucet mnemonic was not shown; it is stored in {stored}",
                err=True,
            )
        raise
    if node.new_mnemonic is not None:
        where = f"stored in {config.data_dir}" if config.data_dir is not None else "not stored: in-memory devnet"
        typer.echo(f"New faucet mnemonic ({where}); shown once:\n  {node.new_mnemonic}", err=True)
    typer.echo(
        f"devnet {config.network_name} (hrp {config.hrp}) on http://{config.host}:{config.port}; "
        f"faucet {node.faucet.address.to_bech32(config.hrp)}",
        err=True,
    )
    try:
        with contextlib.suppress(KeyboardInterrupt):
            serve(node, sock=sock)
    finally:
        node.close()  # normally done by the app's shutdown already; releases the data folder in any case
    typer.echo("devnet stopped", err=True)
