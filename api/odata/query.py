"""The OData system query options a feed request may carry, parsed and checked before any SQL.

``$filter`` is parsed by odata-query (its lexer and parser build an AST; its Django visitor turns
the AST into a ``Q``). Before the visitor sees it, ``_check`` walks the AST against the entity
set's declared properties: only those names, only the comparison and logical operators of the
feed's documented subset, only ``contains``/``startswith``/``endswith``/``tolower``/``toupper``/
``year``/``month``/``day``, and only literals of the property's type, in range. Anything else is
an ``ODataError`` naming the part, which the view answers with 400. Names are then rewritten to
the model's field names, so a query string can never reach a field the set does not expose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import FieldError, ValidationError
from django.db.models import Q, Value
from odata_query import ast
from odata_query import exceptions as odata_exceptions
from odata_query.django.django_q import AstToDjangoQVisitor
from odata_query.grammar import ODataLexer, ODataParser
from odata_query.visitor import NodeTransformer

from .entities import EntitySet, Property

# Rows a page holds; a client may ask for fewer (Prefer: odata.maxpagesize), never more. A page
# is written and sent a chunk at a time (paging.py), so its size does not set the memory used.
MAX_PAGE_SIZE = 50_000
MAX_FILTER_LENGTH = 2000
MAX_FILTER_DEPTH = 40
MAX_SKIP = 2**31 - 1
SUPPORTED = {"$select", "$filter", "$orderby", "$top", "$skip", "$count", "$expand",
             "$skiptoken", "$format"}  # fmt: skip
INT_RANGE = {"Edm.Int32": 2**31, "Edm.Int64": 2**63}


class ODataError(Exception):
    """A request the feed cannot serve: 400 (or ``status``) with an OData error body."""

    def __init__(self, target: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.target = target
        self.message = message
        self.status = status


@dataclass
class Options:
    select: list[Property]
    filter: Q | None = None
    orderby: list[str] = field(default_factory=list)  # Django order_by terms, pk last
    ordered: bool = False  # a $orderby was given (paging then uses $skip, not the key)
    top: int | None = None
    skip: int = 0
    count: bool = False
    expand: list[str] = field(default_factory=list)
    skiptoken: int | None = None


def _integer(name: str, raw: str, maximum: int) -> int:
    if not re.fullmatch(r"\d{1,12}", raw or ""):
        raise ODataError(name, f"{name} must be a whole number of 0 or more, not '{raw[:40]}'.")
    value = int(raw)
    if value > maximum:
        raise ODataError(name, f"{name} must be at most {maximum}.")
    return value


def parse(entity_set: EntitySet, params: Any) -> Options:
    """Options from a request's query string (a QueryDict). Raises ODataError."""
    for key in params:
        if key.startswith("$") and key not in SUPPORTED:
            raise ODataError(key, f"The query option {key[:40]} is not supported by this feed.")
        if len(params.getlist(key)) > 1:
            raise ODataError(key, f"The query option {key[:40]} is given more than once.")
        if "\x00" in params.get(key, ""):
            raise ODataError(key, f"The query option {key[:40]} contains a NUL character.")
    fmt = params.get("$format")
    if fmt is not None and fmt.split(";")[0].strip().lower() not in ("json", "application/json"):
        raise ODataError("$format", "This feed serves JSON only ($format=json).")
    by_name = entity_set.by_name
    options = Options(select=_select(entity_set, params.get("$select")))
    if "$filter" in params:
        options.filter = parse_filter(entity_set, params["$filter"])
    if "$orderby" in params:
        options.orderby = _orderby(by_name, params["$orderby"])
        options.ordered = True
    options.orderby = [*options.orderby, "pk"]
    if "$top" in params:
        options.top = _integer("$top", params["$top"], MAX_SKIP)
    if "$skip" in params:
        options.skip = _integer("$skip", params["$skip"], MAX_SKIP)
    if "$skiptoken" in params:
        options.skiptoken = _integer("$skiptoken", params["$skiptoken"], 2**63 - 1)
    count = params.get("$count", "false").lower()
    if count not in ("true", "false"):
        raise ODataError("$count", "$count must be true or false.")
    options.count = count == "true"
    if "$expand" in params:
        options.expand = _expand(entity_set, params["$expand"])
    return options


def _names(raw: str, option: str) -> list[str]:
    names = [part.strip() for part in (raw or "").split(",")]
    if not raw or any(not part for part in names):
        raise ODataError(option, f"{option} must list names separated by commas.")
    return names


def _select(entity_set: EntitySet, raw: str | None) -> list[Property]:
    if raw is None or raw.strip() == "*":
        return list(entity_set.properties)
    by_name = entity_set.by_name
    chosen = []
    for name in _names(raw, "$select"):
        if name not in by_name:
            raise ODataError("$select", f"{entity_set.type_name} has no property '{name[:60]}'.")
        if by_name[name] not in chosen:
            chosen.append(by_name[name])
    return chosen


def _orderby(by_name: dict[str, Property], raw: str) -> list[str]:
    terms = []
    for part in _names(raw, "$orderby"):
        words = part.split()
        if len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise ODataError("$orderby", f"Cannot order by '{part[:60]}': use 'Name asc|desc'.")
        if words[0] not in by_name:
            raise ODataError("$orderby", f"There is no property '{words[0][:60]}' to order by.")
        path = by_name[words[0]].path
        terms.append(f"-{path}" if len(words) == 2 and words[1].lower() == "desc" else path)
    return terms


def _expand(entity_set: EntitySet, raw: str) -> list[str]:
    navigations = entity_set.navigation_by_name
    chosen = []
    for name in _names(raw, "$expand"):
        if "(" in name or "/" in name:
            raise ODataError("$expand", "Only one level of $expand, without options, is served.")
        if name not in navigations:
            raise ODataError(
                "$expand", f"{entity_set.type_name} has no navigation property '{name[:60]}'."
            )
        if name not in chosen:
            chosen.append(name)
    return chosen


# --- $filter ------------------------------------------------------------------------------------
COMPARATORS = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In)
TEXT_PREDICATES = {"contains", "startswith", "endswith"}
TEXT_FUNCTIONS = {"tolower", "toupper"}
DATE_PARTS = {"year", "month", "day"}
NUMERIC = {"Edm.Int32", "Edm.Int64", "Edm.Decimal"}
DATES = {"Edm.Date", "Edm.DateTimeOffset"}
LITERALS_FOR = {  # the literal node types a property of each Edm type may be compared with
    "Edm.String": (ast.String,),
    "Edm.Int32": (ast.Integer,),
    "Edm.Int64": (ast.Integer,),
    "Edm.Decimal": (ast.Integer, ast.Float),
    "Edm.Date": (ast.Date,),
    "Edm.DateTimeOffset": (ast.DateTime, ast.Date),
    "Edm.Boolean": (ast.Boolean,),
}


class _Checker:
    def __init__(self, entity_set: EntitySet) -> None:
        self.entity_set = entity_set
        self.by_name = entity_set.by_name

    def boolean(self, node: ast._Node, depth: int = 0) -> None:
        """``node`` must be a condition: a comparison, a text predicate, and/or/not of them."""
        if depth > MAX_FILTER_DEPTH:
            raise ODataError("$filter", "The filter is nested too deeply.")
        if isinstance(node, ast.BoolOp):
            self.boolean(node.left, depth + 1)
            self.boolean(node.right, depth + 1)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            self.boolean(node.operand, depth + 1)
        elif isinstance(node, ast.Compare):
            self.compare(node)
        elif isinstance(node, ast.Call) and node.func.name in TEXT_PREDICATES:
            self.text_predicate(node)
        elif isinstance(node, ast.Identifier):
            prop = self.prop(node)
            if prop.edm != "Edm.Boolean":
                raise ODataError("$filter", f"'{node.name}' is not a true/false property.")
            raise ODataError("$filter", f"Write '{node.name} eq true' rather than '{node.name}'.")
        else:
            raise ODataError("$filter", f"The filter cannot use {_describe(node)} here.")

    def prop(self, node: ast.Identifier) -> Property:
        if node.namespace or node.name not in self.by_name:
            raise ODataError(
                "$filter",
                f"{self.entity_set.type_name} has no property '{node.full_name()[:60]}'.",
            )
        return self.by_name[node.name]

    def operand_type(self, node: ast._Node) -> str:
        """The Edm type of a property or function of one; literals are checked by the caller."""
        if isinstance(node, ast.Identifier):
            return self.prop(node).edm
        if isinstance(node, ast.Call) and node.func.name in TEXT_FUNCTIONS | DATE_PARTS:
            if len(node.args) != 1 or not isinstance(node.args[0], ast.Identifier):
                raise ODataError("$filter", f"{node.func.name}() takes one property.")
            inner = self.prop(node.args[0]).edm
            if node.func.name in TEXT_FUNCTIONS:
                if inner != "Edm.String":
                    raise ODataError("$filter", f"{node.func.name}() takes a text property.")
                return "Edm.String"
            if inner not in DATES:
                raise ODataError("$filter", f"{node.func.name}() takes a date property.")
            return "Edm.Int32"
        raise ODataError("$filter", f"The filter cannot compare {_describe(node)}.")

    def literal(self, node: ast._Node, edm: str) -> None:
        if isinstance(node, ast.Null):
            return
        if not isinstance(node, LITERALS_FOR[edm]):
            raise ODataError(
                "$filter", f"{_cap(_describe(node))} cannot be compared with a {edm[4:]} property."
            )
        if isinstance(node, ast.Integer) and edm in INT_RANGE:  # noqa: SIM102
            if not -INT_RANGE[edm] <= node.py_val < INT_RANGE[edm]:
                raise ODataError("$filter", f"The number {node.val[:30]} is out of range.")
        if isinstance(node, ast.Integer | ast.Float) and edm == "Edm.Decimal":
            try:
                number = Decimal(node.val)
            except InvalidOperation as error:
                raise ODataError("$filter", f"'{node.val[:30]}' is not a number.") from error
            if not number.is_finite() or abs(number) >= Decimal(10) ** 20:
                raise ODataError("$filter", f"The number {node.val[:30]} is out of range.")
        if isinstance(node, ast.String) and "\x00" in node.val:
            raise ODataError("$filter", "Text in the filter cannot contain a NUL character.")
        if isinstance(node, ast.Date | ast.DateTime):
            try:
                node.py_val  # noqa: B018 - raises on an impossible date
            except (ValueError, OverflowError) as error:
                raise ODataError("$filter", f"'{node.val[:40]}' is not a real date.") from error

    def compare(self, node: ast.Compare) -> None:
        if not isinstance(node.comparator, COMPARATORS):
            raise ODataError("$filter", "Unsupported comparison.")
        left, right = node.left, node.right
        if isinstance(left, ast._Literal) and not isinstance(right, ast._Literal):
            left, right = right, left
        edm = self.operand_type(left)
        if isinstance(node.comparator, ast.In):
            if not isinstance(right, ast.List) or not 0 < len(right.val) <= 200:
                raise ODataError("$filter", "'in' takes a list of 1 to 200 values.")
            for item in right.val:
                self.literal(item, edm)
            return
        if isinstance(right, ast.Null):
            if not isinstance(node.comparator, ast.Eq | ast.NotEq):
                raise ODataError("$filter", "Only 'eq null' and 'ne null' compare with null.")
            return
        if isinstance(right, ast._Literal):
            self.literal(right, edm)
            return
        other = self.operand_type(right)
        if {edm, other} - NUMERIC and edm != other:
            raise ODataError("$filter", f"Cannot compare a {edm[4:]} with a {other[4:]}.")

    def text_predicate(self, node: ast.Call) -> None:
        name = node.func.name
        if len(node.args) != 2:
            raise ODataError("$filter", f"{name}() takes a text property and a text value.")
        subject, value = node.args
        if self.operand_type(subject) != "Edm.String" or not isinstance(value, ast.String):
            raise ODataError("$filter", f"{name}() takes a text property and a text value.")
        self.literal(value, "Edm.String")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _describe(node: ast._Node) -> str:
    if isinstance(node, ast.Call):
        return f"the function {node.func.full_name()[:40]}()"
    if isinstance(node, ast._Literal):
        value = getattr(node, "val", "")
        return f"the value {str(value)[:40]!r}"
    if isinstance(node, ast.Attribute):
        return "a path (navigation properties cannot be filtered on)"
    if isinstance(node, ast.BinOp):
        return "arithmetic"
    if isinstance(node, ast.CollectionLambda):
        return "any()/all()"
    return type(node).__name__.lower()


class _Rename(NodeTransformer):
    def __init__(self, by_name: dict[str, Property]) -> None:
        self.by_name = by_name

    def visit_Identifier(self, node: ast.Identifier) -> ast._Node:
        return ast.Identifier(self.by_name[node.name].path)

    def visit_Call(self, node: ast.Call) -> ast._Node:
        return ast.Call(node.func, [self.visit(arg) for arg in node.args])


class _ToQ(AstToDjangoQVisitor):
    """odata-query's visitor, with decimals kept exact (Decimal, not float)."""

    def visit_Float(self, node: ast.Float) -> Value:
        return Value(Decimal(node.val))


def parse_filter(entity_set: EntitySet, raw: str) -> Q:
    if not raw.strip():
        raise ODataError("$filter", "$filter is empty.")
    if len(raw) > MAX_FILTER_LENGTH:
        raise ODataError("$filter", f"$filter is longer than {MAX_FILTER_LENGTH} characters.")
    try:
        tree = ODataParser().parse(ODataLexer().tokenize(raw))
    except odata_exceptions.ODataException as error:
        raise ODataError("$filter", f"The filter cannot be read: {_reason(error)}") from error
    except (RecursionError, ValueError, TypeError, IndexError) as error:
        raise ODataError("$filter", "The filter cannot be read.") from error
    if tree is None:
        raise ODataError("$filter", "The filter cannot be read.")
    _Checker(entity_set).boolean(tree)
    try:
        renamed = _Rename(entity_set.by_name).visit(tree)
        condition = _ToQ(entity_set.model).visit(renamed)
    except (odata_exceptions.ODataException, FieldError, ValidationError, ValueError,
            TypeError, NotImplementedError) as error:  # fmt: skip
        raise ODataError("$filter", f"The filter cannot be served: {_reason(error)}") from error
    if not isinstance(condition, Q):
        raise ODataError("$filter", "The filter is not a condition.")
    return condition


def _reason(error: Exception) -> str:
    text = str(error)
    if isinstance(error, odata_exceptions.ParsingException):
        token = error.token
        if token is None or error.eof:
            return "it ends too early."
        return f"unexpected '{str(token.value)[:40]}' at position {token.index}."
    if isinstance(error, odata_exceptions.TokenizingException):
        return f"unexpected character at position {error.token.index}."
    return text[:120] or "unsupported."
