"""/odata/: the read-only OData v4 feed. Every view acts as ``request.actor`` (api/auth.py)."""

from __future__ import annotations

import json
import logging
import re
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import FieldError, ValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from ..auth import token_view
from . import serialise
from .csdl import metadata_xml
from .entities import BY_NAME, ENTITY_SETS, EntitySet
from .query import MAX_PAGE_SIZE, ODataError, Options, parse

logger = logging.getLogger("api.odata")

ROW_JSON = "odata_row_json"  # the annotation holding an entity's JSON, written by PostgreSQL
JSON = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false"


def _headers(response: HttpResponse) -> HttpResponse:
    response["OData-Version"] = "4.0"
    response["Cache-Control"] = "private, no-store"
    return response


def error(target: str, message: str, status: int = 400) -> HttpResponse:
    codes = {400: "BadRequest", 403: "Forbidden", 404: "NotFound"}
    body = {"error": {"code": codes.get(status, str(status)), "message": message,
                      "target": target}}  # fmt: skip
    return _headers(HttpResponse(json.dumps(body), status=status, content_type="application/json"))


def _root(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("api:odata_service"))


@token_view()
def service_document(request: HttpRequest) -> HttpResponse:
    """The entity sets this actor may read (all of them are described in $metadata)."""
    actor = request.actor
    sets = [s for s in ENTITY_SETS if s.queryset(actor) is not None]
    body = {
        "@odata.context": _root(request) + "$metadata",
        "value": [{"name": s.name, "kind": "EntitySet", "url": s.name} for s in sets],
    }
    return _headers(HttpResponse(json.dumps(body), content_type=JSON))


@token_view()
def metadata(request: HttpRequest) -> HttpResponse:
    return _headers(HttpResponse(metadata_xml(), content_type="application/xml; charset=utf-8"))


def _readable(request: HttpRequest, name: str) -> tuple[EntitySet, Any]:
    entity_set = BY_NAME.get(name)
    if entity_set is None:
        raise Http404
    queryset = entity_set.queryset(request.actor)
    if queryset is None:
        raise PermissionError(name)
    return entity_set, queryset


@token_view()
def entity_set_count(request: HttpRequest, name: str) -> HttpResponse:
    """``/odata/<Set>/$count``: the number of rows (after $filter) as plain text."""
    try:
        entity_set, queryset = _readable(request, name)
    except PermissionError:
        return error(name, f"Your role cannot read {name}.", 403)
    except Http404:
        return error(name, f"There is no entity set '{name[:60]}'.", 404)
    try:
        options = parse(entity_set, request.GET)
        if options.filter is not None:
            queryset = queryset.filter(options.filter)
        total = queryset.count()
    except ODataError as refusal:
        return error(refusal.target, refusal.message, refusal.status)
    except (DataError, FieldError, ValidationError, ValueError, TypeError) as failure:
        logger.info("odata $count refused: %s", failure)
        return error("$filter", "The filter cannot be served on this database.")
    return _headers(HttpResponse(str(total), content_type="text/plain; charset=utf-8"))


@token_view()
def entity_set(request: HttpRequest, name: str) -> HttpResponse:
    try:
        entity_set, queryset = _readable(request, name)
    except PermissionError:
        return error(name, f"Your role cannot read {name}.", 403)
    except Http404:
        return error(name, f"There is no entity set '{name[:60]}'.", 404)
    try:
        options = parse(entity_set, request.GET)
        return _page(request, entity_set, queryset, options)
    except ODataError as refusal:
        return error(refusal.target, refusal.message, refusal.status)
    except (DataError, FieldError, ValidationError, ValueError, TypeError) as failure:
        # A filter odata-query accepted and we checked, that the database still refuses (a
        # value out of its range, say): the client's request, not our fault.
        logger.info("odata query refused by the database: %s", failure)
        return error("$filter", "The query cannot be served on this database.")


def _page_size(request: HttpRequest) -> int:
    match = re.search(r"odata\.maxpagesize\s*=\s*(\d{1,7})", request.headers.get("Prefer", ""))
    if match and int(match.group(1)) > 0:
        return min(int(match.group(1)), MAX_PAGE_SIZE)
    return MAX_PAGE_SIZE


def _page(request: HttpRequest, entity_set: EntitySet, queryset: Any, options: Options) -> Any:
    if options.filter is not None:
        queryset = queryset.filter(options.filter)
    total = queryset.count() if options.count else None
    navigations = entity_set.navigation_by_name
    expand = [navigations[n] for n in options.expand]
    by_name = entity_set.by_name
    keys = {by_name[n.key].path for n in expand}
    row_json = serialise.row_json(options.select, queryset.db)
    if row_json is None:
        paths = {"pk"} | {p.path for p in options.select} | keys
        rows_qs = queryset.order_by(*options.orderby).values(*paths)
    else:  # PostgreSQL writes each entity's JSON (serialise.row_json)
        rows_qs = (
            queryset.order_by(*options.orderby)
            .annotate(**{ROW_JSON: row_json})
            .values("pk", *keys, ROW_JSON)
        )
    page_size = _page_size(request)
    take = page_size if options.top is None else min(page_size, options.top)
    if not options.ordered and options.skiptoken is not None:
        rows_qs = rows_qs.filter(pk__gt=options.skiptoken)
    rows = list(rows_qs[options.skip : options.skip + take + 1])
    more = len(rows) > take and (options.top is None or options.top > take)
    rows = rows[:take]
    expanded = {nav.name: _expanded(request, nav, rows, by_name[nav.key].path) for nav in expand}

    select_suffix = ""
    if "$select" in request.GET:
        select_suffix = "(" + ",".join(p.name for p in options.select) + ")"
    head: dict[str, Any] = {"@odata.context": f"{_root(request)}$metadata#{entity_set.name}"
                            f"{select_suffix}"}  # fmt: skip
    if total is not None:
        head["@odata.count"] = total
    entities = []
    for row in rows:
        if row_json is None:
            entity = {p.name: row[p.path] for p in options.select}
            for nav in expand:
                entity[nav.name] = expanded[nav.name].get(row[by_name[nav.key].path])
            entities.append(serialise.obj(entity))
        elif expand:
            related = "".join(
                f",{json.dumps(nav.name)}:"
                + serialise.value(expanded[nav.name].get(row[by_name[nav.key].path]))
                for nav in expand
            )
            entities.append(row[ROW_JSON][:-1] + related + "}")
        else:
            entities.append(row[ROW_JSON])
    parts = [serialise.obj(head)[:-1], ',"value":[', ",".join(entities), "]"]
    if more:
        parts.append(f',"@odata.nextLink":{json.dumps(_next_link(request, options, rows, take))}')
    parts.append("}")
    return _headers(HttpResponse("".join(parts), content_type=JSON))


def _next_link(request: HttpRequest, options: Options, rows: list[dict], take: int) -> str:
    params = [(k, v) for k, v in request.GET.items() if k not in ("$skip", "$skiptoken", "$top")]
    if options.ordered:
        params.append(("$skip", str(options.skip + take)))
    else:
        params.append(("$skiptoken", str(rows[-1]["pk"])))
    if options.top is not None:
        params.append(("$top", str(options.top - take)))
    return request.build_absolute_uri(request.path) + "?" + urlencode(params)


def _expanded(request: HttpRequest, nav: Any, rows: list[dict], key_path: str) -> dict[Any, Any]:
    """The related entities of one page's rows, keyed by id: one query per navigation per page.
    A related row the actor may not read (a benefit owner's programme, say) comes out null."""
    target = BY_NAME[nav.target]
    queryset = target.queryset(request.actor)
    ids = {row[key_path] for row in rows if row[key_path] is not None}
    if queryset is None or not ids:
        return {}
    paths = {p.path for p in target.properties}
    return {
        related["pk"]: {p.name: related[p.path] for p in target.properties}
        for related in queryset.filter(pk__in=ids).order_by().values("pk", *paths)
    }
