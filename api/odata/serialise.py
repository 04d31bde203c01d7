"""OData JSON (odata.metadata=minimal) written by hand, so that money stays exact: an
``Edm.Decimal`` is written as a JSON number with its pence (``1234.50``), never through a float."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any


def value(item: Any) -> str:
    if item is None:
        return "null"
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, int):
        return str(item)
    if isinstance(item, Decimal):
        return format(item, "f")
    if isinstance(item, float):
        return json.dumps(item)
    if isinstance(item, datetime | date):
        return '"' + item.isoformat() + '"'
    if isinstance(item, dict):
        return obj(item)
    return json.dumps(str(item), ensure_ascii=False)


def obj(mapping: dict[str, Any]) -> str:
    return "{" + ",".join(f"{json.dumps(k)}:{value(v)}" for k, v in mapping.items()) + "}"
