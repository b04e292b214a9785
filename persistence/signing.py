"""Content hashes of signed documents (R-3): a canonical JSON form and its SHA-256.

The canonical form sorts keys, drops insignificant whitespace and writes every number as its shortest exact
decimal (``4``, ``4.0`` and ``Decimal("4.00")`` are the same score), so the hash depends on the content only,
never on how a caller happened to type it; recomputing it from the stored row gives the stored hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any


def _canonical(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, Enum):
        return _canonical(value.value)
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value)).normalize()
        return format(number, "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): _canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    raise TypeError(f"cannot sign a {type(value).__name__}")


def canonical_json(document: Mapping[str, Any]) -> str:
    """The canonical JSON text of ``document`` (sorted keys, no spaces, numbers as exact decimal strings)."""
    return json.dumps(_canonical(document), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(document: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of ``document``."""
    return hashlib.sha256(canonical_json(document).encode("utf-8")).hexdigest()


def sheet_content_hash(evaluation_id: int, scores: Mapping[str, Any], justification: str | None) -> str:
    """The hash of what an evaluator signs on a sheet: whose evaluation, the scores and the justification."""
    return content_hash({"evaluation": evaluation_id, "scores": scores, "justification": justification})
