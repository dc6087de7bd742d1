"""Where the shared reference material lives.

CI clones the repository with ``shared/`` beside it, so the default is ``<repo>/../shared/reference``;
``TANGLEHUB_REFERENCE_DIR`` overrides it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

REFERENCE = Path(
    os.environ.get("TANGLEHUB_REFERENCE_DIR") or Path(__file__).resolve().parents[2] / "shared" / "reference"
)
VECTORS = REFERENCE / "vectors"


def load_vectors(relative: str) -> Any:
    """Parse one JSON vector file below ``VECTORS``."""
    return json.loads((VECTORS / relative).read_text())
