"""The onboarding workbook written out: the template (an "About" sheet documenting every sheet
and column, then each sheet with its header and one example row), and the export of a programme
or the whole portfolio in the same shape, to be edited in Excel and imported back. Text is
guarded by core.exports (a formula is written as text, never live)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import models

from core.exports import CHUNK_SIZE, Table
from portfolio.models import Programme
from portfolio.periods import FinancialYear

from .sheets import ABOUT, SHEETS, Column, Sheet

RELATED = {
    "Programmes": ("portfolio", "directorate", "sro", "manager"),
    "Benefit profiles": ("benefit__programme",),
    "RACI": ("activity__programme", "person"),
}


def about_table() -> Table:
    """What each sheet holds and what to write in each column."""
    rows: list[list[Any]] = [
        ["How to use this workbook", "", "",
         "Fill in the sheets, keep their names and header rows, and upload the workbook on "
         "Delivery Hub's onboarding page (a sheet may also be uploaded on its own as a CSV). "
         "Nothing is saved until you have seen the preview and confirmed it; if any row has a "
         "problem, nothing is imported. A second import updates the rows it matches by "
         "reference instead of adding them again. People are named by the email address of "
         "their Delivery Hub account."],
    ]  # fmt: skip
    for sheet in SHEETS:
        rows.append([sheet.name, "", "", sheet.about])
        for column in sheet.columns:
            rows.append(["", column.header, "Yes" if column.required else "No", column.help])
    return Table(
        slug="onboarding-about",
        title=ABOUT,
        headers=["Sheet", "Column", "Required", "What to write"],
        rows=rows,
        widths=(22, 26, 10, 100),
    )


def template_tables() -> list[Table]:
    return [about_table()] + [
        Table(slug=sheet.slug, title=sheet.name, headers=sheet.headers, rows=[list(sheet.example)])
        for sheet in SHEETS
    ]


def show(obj: Any, column: Column) -> Any:
    """A value as the workbook holds it: what the reader reads back as the same value."""
    kind = column.kind
    for step in column.via.split(".")[:-1] if column.via else []:
        obj = getattr(obj, step)  # benefit.programme: the programme of the profile's benefit
    if kind in ("person",):
        person = getattr(obj, column.attr)
        return person.email if person else ""
    if kind == "programme":
        programme = getattr(obj, column.attr)
        return (programme.reference or programme.slug) if programme else ""
    if kind == "benefit":
        return obj.benefit.reference or obj.benefit.title
    if kind in ("directorate", "portfolio", "activity"):
        related = getattr(obj, column.attr)
        return related.name if related else ""
    if kind == "year":
        return FinancialYear(obj.financial_year).label
    if kind == "choice":
        value = getattr(obj, column.attr)
        return str(column.choices(value).label) if value and column.choices else ""
    if kind == "yesno":
        return "Yes" if getattr(obj, column.attr) else "No"
    if isinstance(obj, Programme) and column.attr == "reference":
        return obj.reference or obj.slug
    return getattr(obj, column.attr)


def _queryset(sheet: Sheet, programmes: models.QuerySet[Programme]) -> models.QuerySet[Any]:
    manager = sheet.model._default_manager
    if sheet.model is Programme:
        return programmes.select_related(*RELATED["Programmes"]).order_by("name")
    if sheet.name == "Benefit profiles":
        return (
            manager.filter(benefit__programme__in=programmes)
            .select_related(*RELATED[sheet.name])
            .order_by("benefit__programme__name", "benefit_id", "financial_year")
        )
    if sheet.name == "RACI":
        return (
            manager.filter(activity__programme__in=programmes)
            .select_related(*RELATED[sheet.name])
            .order_by("activity__programme__name", "activity__position", "activity__name", "pk")
        )
    related = ["programme"] + [
        c.attr for c in sheet.columns if c.kind in ("person", "programme") and c.attr != "programme"
    ]
    return (
        manager.filter(programme__in=programmes)
        .select_related(*related)
        .order_by("programme__name", "pk")
    )


def _rows(sheet: Sheet, programmes: models.QuerySet[Programme]) -> Iterator[list[Any]]:
    for obj in _queryset(sheet, programmes).iterator(chunk_size=CHUNK_SIZE):
        yield [show(obj, column) for column in sheet.columns]


def export_tables(programmes: models.QuerySet[Programme]) -> list[Table]:
    """The workbook of ``programmes``: every sheet, each row streamed from the database."""
    return [about_table()] + [
        Table(
            slug=sheet.slug, title=sheet.name, headers=sheet.headers, rows=_rows(sheet, programmes)
        )
        for sheet in SHEETS
    ]
