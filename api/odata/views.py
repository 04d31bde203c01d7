"""/odata/: the read-only OData v4 feed. Every view acts as ``request.actor`` (api/auth.py)."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import FieldError, ValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse

from ..auth import token_view
from . import paging, serialise
from .csdl import metadata_xml
from .entities import BY_NAME, ENTITY_SETS, EntitySet
from .query import MAX_PAGE_SIZE, ODataError, Options, parse

logger = logging.getLogger("api.odata")

JSON = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false"


def _headers(response: Any) -> Any:
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


def _page_size(request: HttpRequest) -> tuple[int, bool]:
    """The rows a page holds, and whether that is the client's preference: MAX_PAGE_SIZE, or
    fewer if the client prefers (``Prefer: odata.maxpagesize=N``)."""
    match = re.search(r"odata\.maxpagesize\s*=\s*(\d{1,7})", request.headers.get("Prefer", ""))
    if match and int(match.group(1)) > 0:
        return min(int(match.group(1)), MAX_PAGE_SIZE), True
    return MAX_PAGE_SIZE, False


def _page(request: HttpRequest, entity_set: EntitySet, queryset: Any, options: Options) -> Any:
    """One page: answered whole when its rows fit in one chunk, else streamed a chunk at a time
    (paging.Rows), so the serving process's memory does not grow with the page size."""
    if options.filter is not None:
        queryset = queryset.filter(options.filter)
    total = queryset.count() if options.count else None
    page_size, preferred = _page_size(request)
    take = page_size if options.top is None else min(page_size, options.top)
    rows = paging.Rows(entity_set, queryset, options, take, request.actor)
    first = next(iter(rows), b"")  # run here, so that a query the database refuses is a 400

    select_suffix = ""
    if "$select" in request.GET:
        select_suffix = "(" + ",".join(p.name for p in options.select) + ")"
    head: dict[str, Any] = {"@odata.context": f"{_root(request)}$metadata#{entity_set.name}"
                            f"{select_suffix}"}  # fmt: skip
    if total is not None:
        head["@odata.count"] = total
    opening = (serialise.obj(head)[:-1] + ',"value":[').encode()

    def closing() -> bytes:
        parts = ["]"]
        if rows.more:
            link = _next_link(request, options, rows.last_pk, take)
            parts.append(f',"@odata.nextLink":{json.dumps(link)}')
        parts.append("}")
        return "".join(parts).encode()

    if rows.done:
        rows.close()
        response: HttpResponse | StreamingHttpResponse = HttpResponse(
            opening + first + closing(), content_type=JSON
        )
    else:
        streamed = _streamed(rows, opening + first, closing)
        response = StreamingHttpResponse(streamed, content_type=JSON)
    if preferred:
        response["Preference-Applied"] = f"odata.maxpagesize={page_size}"
    return _headers(response)


def _streamed(rows: paging.Rows, first: bytes, closing: Callable[[], bytes]) -> Iterator[bytes]:
    """A page larger than one chunk: the head and first chunk, each further chunk as it is read,
    then the page's end (its next link, known once the last row is read)."""
    try:
        yield first
        written = not first.endswith(b"[")
        for chunk in rows:
            yield (b"," if written else b"") + chunk
            written = True
        yield closing()
    finally:
        rows.close()  # its cursor, even when the client stops reading part-way


def _next_link(request: HttpRequest, options: Options, last_pk: Any, take: int) -> str:
    params = [(k, v) for k, v in request.GET.items() if k not in ("$skip", "$skiptoken", "$top")]
    if options.ordered:
        params.append(("$skip", str(options.skip + take)))
    else:
        params.append(("$skiptoken", str(last_pk)))
    if options.top is not None:
        params.append(("$top", str(options.top - take)))
    return request.build_absolute_uri(request.path) + "?" + urlencode(params)
