"""Hostile posts for the grids (a whole table saved at once) and a read of what each stores.

A grid post mixes *good* cells, whose values the test knows, with hostile ones (the values
test_hostile_inputs.py throws at every form) and tampering: missing or extra management-form
fields, a TOTAL_FORMS that does not match the rows, cells for rows, activities or people the grid
does not have. Each strategy returns a ``GridPost``:

- ``data``: the POST body;
- ``expected``: what a successful save must store for the good cells (key → value, None for
  "nothing stored"), compared with the grid's ``stored`` read;
- ``bad``: the reasons no correct save may accept the post (empty: it may succeed or not).

The test then holds every grid to the same rule: a post saves every cell it carries or none, and a
refused post shows its error on the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from benefits.forms import MAX_MONEY
from benefits.models import Benefit, OneOffCost
from governance import queries as governance_queries
from governance.models import RaciActivity, RaciAssignment
from portfolio.periods import FinancialYear

MAX_ROWS = 60  # the grids' max_num

# Hostile cell values that no correct grid may accept.
BAD_MONEY = [
    "-1", "-0.01", "-£1,000,000", "NaN", "-Infinity", "Infinity", "1e308", "1e-308",
    "9" * 400, "-" + "9" * 40, "1000000000000.00", "0x1F", "½", "12.345",
    "<script>alert(1)</script>", "1 000", "£-5",
]  # fmt: skip
BAD_YEARS = [
    "2019/21", "2019/2019", "19/19", "0000/01", "1066/67", "9999/00", "2019", "FY2019/20",
    "2019/20/21", "<b>2019/20</b>", "二〇一九/二〇",
]  # fmt: skip
MANAGEMENT = ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")

NASTY_VALUES = [
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "\x00", "\u202eevil",
    "\U0001f469\U0001f3fd\u200d\U0001f4bb", "A" * 10_000, " ", "{{ request.user }}",
    "'; DROP TABLE accounts_user; --",
]  # fmt: skip
NASTY = st.sampled_from(NASTY_VALUES)
ANY_TEXT = st.one_of(NASTY, st.text(max_size=40))


@dataclass
class GridPost:
    data: dict[str, Any] = field(default_factory=dict)
    expected: dict[Any, Any] = field(default_factory=dict)
    bad: list[str] = field(default_factory=list)


good_money = st.decimals(min_value=0, max_value=MAX_MONEY, places=2)


def money_text(amount: Decimal, style: int) -> str:
    """The ways a person types an amount: 180000, 180,000.00, £180,000."""
    return [f"{amount}", f"{amount:,}", f"£{amount:,}", f" {amount} "][style % 4]


def year_text(year: int, style: int) -> str:
    fy = FinancialYear(year)
    end = (year + 1) % 100
    return [fy.label, f"{year}-{end:02d}", f"{year % 100:02d}/{end:02d}", f" {fy.label} "][
        style % 4
    ]


def management_values(draw: Any, rows: int, post: GridPost, prefix: str = "form") -> None:
    """Usually the management form a browser sends; sometimes missing, extra or mismatched."""
    values = {"TOTAL_FORMS": str(rows), "INITIAL_FORMS": "0", "MIN_NUM_FORMS": "0",
              "MAX_NUM_FORMS": "1000"}  # fmt: skip
    tamper = draw(
        st.sampled_from(["none"] * 6 + ["missing", "total", "initial", "text", "extra"]),
        label="management form",
    )
    if tamper == "missing":
        for name in draw(st.sets(st.sampled_from(MANAGEMENT), min_size=1)):
            del values[name]
    elif tamper == "total":
        values["TOTAL_FORMS"] = str(
            draw(st.sampled_from([0, rows - 1, rows + 1, rows + 5, 61, 1001, -1, 2**63, 10**30]))
        )
    elif tamper == "initial":
        values["INITIAL_FORMS"] = str(draw(st.sampled_from([rows, rows + 3, -1, 2**31])))
    elif tamper == "text":
        name = draw(st.sampled_from(MANAGEMENT))
        values[name] = draw(st.one_of(st.sampled_from(["", "1.5", "ten", "1e3", "٣"]), ANY_TEXT))
    elif tamper == "extra":
        values["DELETE_ALL"] = "on"
    post.data |= {f"{prefix}-{name}": value for name, value in values.items()}

    def whole_number(text: str | None) -> int | None:
        """How Django's IntegerField reads it (surrounding spaces and a trailing .0 allowed)."""
        try:
            return None if text is None else int(re.sub(r"\.0*\s*$", "", text))
        except ValueError:
            return None

    total = whole_number(values.get("TOTAL_FORMS"))
    for name in MANAGEMENT:
        required = name in ("TOTAL_FORMS", "INITIAL_FORMS")
        if (required or name in values) and whole_number(values.get(name)) is None:
            post.bad.append(f"{name} is missing or not a whole number")
    if total is not None and total > MAX_ROWS:
        post.bad.append(f"TOTAL_FORMS {total} is over the grid's {MAX_ROWS} rows")
    if total is not None and rows > max(total, 0):
        post.bad.append(f"{rows} rows posted but TOTAL_FORMS says {total}")


def formset_post(*, money: tuple[str, ...], years: list[int]) -> st.SearchStrategy[GridPost]:
    """A one-row-per-financial-year grid (profile or one-off costs): ``money`` names the amount
    columns, ``years`` the years a good row may use."""

    @st.composite
    def build(draw: Any) -> GridPost:
        post = GridPost()
        good_years = draw(
            st.lists(st.sampled_from(years), max_size=min(3, len(years)), unique=True),
            label="good years",
        )
        rows: list[dict[str, str]] = []
        for year in good_years:
            amounts = {name: draw(good_money) for name in money}
            rows.append(
                {
                    "financial_year": year_text(year, draw(st.integers(0, 3))),
                    **{n: money_text(a, draw(st.integers(0, 3))) for n, a in amounts.items()},
                }
            )
            post.expected[year] = tuple(amounts[name] for name in money)
        for _ in range(draw(st.integers(0, 2), label="hostile rows")):
            row = {
                "financial_year": draw(
                    st.one_of(
                        st.sampled_from(BAD_YEARS),
                        st.integers(1990, 2060).map(lambda y: FinancialYear(y).label),
                        ANY_TEXT,
                    )
                ),
                **{
                    name: draw(st.one_of(st.sampled_from(BAD_MONEY), good_money.map(str), ANY_TEXT))
                    for name in money
                },
            }
            for name, value in row.items():
                known_bad = BAD_YEARS if name == "financial_year" else BAD_MONEY
                if value in known_bad:
                    post.bad.append(f"{name} {value!r}")
            rows.append(row)
        rows = draw(st.permutations(rows))
        for index, row in enumerate(rows):
            post.data |= {f"form-{index}-{name}": value for name, value in row.items()}
        management_values(draw, len(rows), post)
        stray = draw(
            st.sampled_from(
                [None, None, "form-0-evil", "form-__prefix__-planned", "form-99-actual"]
            )
        )
        if stray:
            post.data[stray] = "1"
            if stray == "form-99-actual":
                post.bad.append("a cell for row 99, beyond the rows the grid counts")
        return post

    return build()


def profile_stored(benefit: Benefit) -> dict[Any, Any]:
    return {
        row.financial_year: (row.planned, row.forecast, row.actual) for row in benefit.profile.all()
    }


def costs_stored(programme: Any) -> dict[Any, Any]:
    return {
        row.financial_year: (row.budget, row.actual)
        for row in OneOffCost.objects.filter(programme=programme)
    }


# --- RACI -------------------------------------------------------------------------------------


def raci_post(programme: Any) -> st.SearchStrategy[GridPost]:
    """The RACI grid: a letter per activity × person; one A per activity makes it good."""

    @st.composite
    def build(draw: Any) -> GridPost:
        grid = governance_queries.raci_grid(programme)
        activities, people = grid["activities"], grid["people"]
        post = GridPost()
        for activity in activities:
            accountable = draw(st.sampled_from(people), label=f"A for {activity.pk}")
            letters = {
                p.pk: "A" if p == accountable else draw(st.sampled_from(["R", "C", "I", ""]))
                for p in people
            }
            if draw(st.integers(0, 4)) == 0:  # a hostile cell
                person = draw(st.sampled_from(people))
                letters[person.pk] = draw(
                    st.one_of(st.sampled_from(["A", "a", "X", "RA", " R", "0"]), ANY_TEXT)
                )
            for person_pk, letter in letters.items():
                if draw(st.integers(0, 9)) == 0 and letter != "A":
                    continue  # a cell the browser did not send: read as no letter
                post.data[f"cell-{activity.pk}-{person_pk}"] = letter
                post.expected[("cell", activity.pk, person_pk)] = letter or None
            posted = [post.data.get(f"cell-{activity.pk}-{p.pk}", "") for p in people]
            if any(letter not in {"R", "A", "C", "I", ""} for letter in posted):
                post.bad.append(f"{activity.name}: a letter other than R, A, C, I")
            if posted.count("A") != 1:
                post.bad.append(f"{activity.name}: {posted.count('A')} people Accountable")

        new_activity = draw(
            st.one_of(st.just(""), st.sampled_from(["Run the lessons-learned review"]), ANY_TEXT),
            label="new activity",
        )
        post.data["new_activity"] = new_activity
        name = new_activity.strip()
        if "\x00" in new_activity:
            post.bad.append("new activity with a NUL character")
        elif len(name) > RaciActivity._meta.get_field("name").max_length:
            post.bad.append("new activity name too long")
        elif name:
            post.expected[("activity", name)] = True

        post.data["person"] = [p.username for p in people] + draw(
            st.lists(st.one_of(st.sampled_from(["viewer", "board", "scrutiny"]), ANY_TEXT),
                     max_size=2),
            label="extra columns",
        )  # fmt: skip
        stray = draw(st.sampled_from([None, None, None, *_stray_cells(activities, people)]))
        if stray:
            post.data[stray] = "R"
            post.bad.append(f"{stray}: a cell outside the grid")
        return post

    return build()


def _stray_cells(activities: list[RaciActivity], people: list[Any]) -> list[str]:
    from accounts.models import User

    activity, person = activities[0].pk, people[0].pk
    other = RaciActivity.objects.exclude(programme=activities[0].programme).order_by("pk").first()
    scrutiny = User.objects.get(username="scrutiny")  # never a column of the grid
    return [
        "cell-", "cell-abc-1", f"cell-{activity}-{person}-1", f"cell-{activity}-",
        f"cell-{2**63}-{person}", f"cell-{activity}-{10**30}", f"cell--1-{person}",
        f"cell-{other.pk}-{person}", f"cell-{activity}-{scrutiny.pk}",
    ]  # fmt: skip


def raci_stored(programme: Any) -> dict[Any, Any]:
    stored: dict[Any, Any] = {
        ("cell", a, p): role
        for a, p, role in RaciAssignment.objects.filter(activity__programme=programme).values_list(
            "activity_id", "person_id", "role"
        )
    }
    for name in RaciActivity.objects.filter(programme=programme).values_list("name", flat=True):
        stored[("activity", name)] = True
    return stored
