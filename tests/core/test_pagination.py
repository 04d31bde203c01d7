"""Page navigation stays the same size however many pages a list has (issue #22)."""

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory


def _nav(pages: int, number: int) -> str:
    page = Paginator(range(pages * 25), 25).get_page(number)
    request = RequestFactory().get("/raid/", {"page": number, "status": "open"})
    return render_to_string("includes/_pagination.html", {"page": page}, request=request)


def test_navigation_links_a_bounded_number_of_pages_however_many_there_are():
    small, large = _nav(12, 6), _nav(3200, 1600)
    assert small.count('aria-label="Page ') == large.count('aria-label="Page ')
    assert large.count('aria-label="Page ') <= 9
    assert 'aria-label="Page 3200"' in large
    assert 'aria-label="Page 1"' in large
    assert 'aria-label="Page 2000"' not in large
    assert large.count("govuk-pagination__item--ellipses") == 2
    assert "status=open" in large
    assert "page=1601" in large


def test_a_few_pages_are_all_linked_without_ellipses():
    nav = _nav(4, 2)
    assert nav.count('aria-label="Page ') == 4
    assert "ellipses" not in nav
    assert 'aria-current="page"' in nav
