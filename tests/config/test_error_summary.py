"""The error summary is one include: every page lists its errors through
templates/includes/_error_summary.html (a form, a formset grid or a list of messages)."""

from pathlib import Path

from django import forms
from django.template.loader import render_to_string

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
THE_INCLUDE = TEMPLATES / "includes" / "_error_summary.html"
# The sign-in page lists the sign-in form's errors itself (it is being reworked for OIDC).
NOT_YET = {TEMPLATES / "accounts" / "login.html"}


def test_only_the_include_writes_an_error_summary_list():
    writers = {
        path
        for path in TEMPLATES.rglob("*.html")
        if "govuk-error-summary__list" in path.read_text()
    }
    assert writers - NOT_YET == {THE_INCLUDE}


class YearForm(forms.Form):
    financial_year = forms.IntegerField()
    amount = forms.DecimalField()


def test_the_include_links_each_kind_of_error_to_where_it_is():
    Grid = forms.formset_factory(YearForm, extra=0)
    data = {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0"}
    grid = Grid(data | {"form-0-financial_year": "2024", "form-0-amount": "lots"})
    assert not grid.is_valid()
    html = render_to_string("includes/_error_summary.html", {"grid": grid, "anchor": "cost-grid"})
    assert 'href="#id_form-0-amount">2024: Enter a number.' in html
    html = render_to_string(
        "includes/_error_summary.html",
        {"error_list": ["Row 2: no owner."], "anchor": "raci-grid", "title": "Nothing was saved"},
    )
    assert 'href="#raci-grid">Row 2: no owner.' in html
    assert "Nothing was saved" in html
    assert render_to_string("includes/_error_summary.html", {}).strip() == ""
