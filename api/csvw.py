"""CSV on the Web (W3C CSVW) metadata for every CSV download, beside it at ``….csv-metadata.json``.

It describes the columns of the same Table (core/exports.py) or log Log
(governance/logs.py) the CSV is written from, so titles and order cannot drift: money
columns are ``decimal`` (written with pence, a point and no symbol), every other column
``string`` (the CSV carries what the page shows, labels and all).
"""

from __future__ import annotations

from typing import Any

from core.exports import Table
from governance.logs import Column


def _name(title: str, used: set[str]) -> str:
    base = "".join(c if c.isalnum() else "_" for c in title.lower()).strip("_") or "column"
    name, n = base, 2
    while name in used:
        name, n = f"{base}_{n}", n + 1
    used.add(name)
    return name


def _document(csv_url: str, title: str, columns: list[dict[str, Any]]) -> dict[str, Any]:
    used: set[str] = set()
    for column in columns:
        column["name"] = _name(column["titles"], used)
    return {
        "@context": ["http://www.w3.org/ns/csvw", {"@language": "en"}],
        "url": csv_url,
        "dc:title": title,
        "dc:publisher": "Delivery Hub",
        "dialect": {"encoding": "utf-8", "header": True, "delimiter": ","},
        "tableSchema": {"columns": columns},
    }


def table_metadata(table: Table, csv_url: str) -> dict[str, Any]:
    columns = []
    for index, header in enumerate(table.headers):
        money = index in table.money_columns
        column: dict[str, Any] = {"titles": header, "datatype": "decimal" if money else "string"}
        if money:
            column["dc:description"] = "Pounds sterling (GBP), two decimal places."
        columns.append(column)
    return _document(csv_url, table.title, columns)


def log_metadata(title: str, columns: list[Column], csv_url: str) -> dict[str, Any]:
    return _document(csv_url, title, [{"titles": c.label, "datatype": "string"} for c in columns])
