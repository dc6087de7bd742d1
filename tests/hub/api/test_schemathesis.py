"""Property-based checks of the whole API from its own ``/openapi.json`` (schemathesis): requests generated
from the schema, valid and invalid, sent over real HTTP with an admin key. No answer may be a 5xx, and every
4xx must be problem+json with a code. ``TANGLEHUB_SCHEMATHESIS_EXAMPLES`` raises the examples per operation
(CI default: 15)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tanglehub.hub.workers.pool import fill_pool

from .conftest import hub_settings, running_hub

EXAMPLES = int(os.environ.get("TANGLEHUB_SCHEMATHESIS_EXAMPLES", "15"))
SKIP = {"/v1/events/stream"}
"""Never-ending responses are tested in test_events.py."""


def _run(schema: Any, base_url: str, headers: dict[str, str]) -> list[str]:
    """Fuzz every operation; return a description of each failure."""
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in SKIP:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode)

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
                derandomize=True,
            )
            @given(case=strategy)
            def check(case: Any) -> None:
                response = case.call(base_url=base_url, headers=headers, timeout=30)
                where = f"{case.method} {case.formatted_path} {case.query} -> {response.status_code}"
                if response.status_code >= 500:
                    failures.append(f"{where}: {response.text[:300]}")
                elif response.status_code >= 400:
                    kind = response.headers.get("content-type") or [""]
                    kind = kind[0] if isinstance(kind, list) else kind
                    if kind != "application/problem+json" or "code" not in response.json():
                        failures.append(f"{where}: not problem+json ({kind}) {response.text[:200]}")

            try:
                check()
            except Unsatisfiable:  # e.g. no invalid request exists for an operation without parameters
                continue
    return failures


@pytest.mark.slow
async def test_no_5xx_and_every_4xx_is_a_problem(tmp_path: Path, database_url: str | None) -> None:
    # a pool deep enough that the fuzzing never drains it (an empty pool is a deliberate 503)
    settings_ = hub_settings(tmp_path, database_url, address_pool_target=400, address_pool_batch=200)
    async with running_hub(settings_) as hub:
        await fill_pool(hub.ctx)
        document = (await hub.client.get("/openapi.json")).json()
        schema = schemathesis.openapi.from_dict(document)
        failures = await asyncio.to_thread(_run, schema, hub.url, hub.keys.header("admin"))
    assert failures == []
