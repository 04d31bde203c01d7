# What the filtered programme list's rows cost to render: its results (the partial the page
# swaps in) for a page of 25 programmes and for 4 (as the bench's filter finds at 50), and, for
# the 25, each piece of a row alone (the stage tag by its include or written inline, each
# programme's link, the portfolio and SRO cells) and the page navigation; medians of 200
# renders each. Run in `manage.py shell` on a `make bench` database of 500 or 5,000 programmes.
import statistics
import time

from django.core.paginator import Paginator
from django.template import engines
from django.template.loader import get_template
from django.test import RequestFactory

from accounts.models import User
from portfolio.models import Programme

request = RequestFactory().get("/programmes/?stage=deliver&category=A")
request.user = User.objects.filter(groups__name="PMO").first()
programmes = Programme.objects.listed().in_stage("deliver").in_category("A")
page = Paginator(programmes, 25).get_page(1)
list(page.object_list)
few = Paginator(list(programmes[:4]), 25).get_page(1)
engine = engines["django"]
LOOP = "{% for programme in page.object_list %}{0}{% endfor %}"
pieces = {
    "the stage tag, included": '{% include "portfolio/_stage_tag.html" %}',
    "the stage tag, inline": '<strong class="govuk-tag app-stage app-stage--{{ programme.stage }}">'
    "{{ programme.stage_label }}</strong>",
    "the link": "{{ programme.get_absolute_url }}",
    "the name, portfolio and SRO": '{{ programme.name }}{{ programme.portfolio|default:"-" }}'
    '{{ programme.sro|default:"-" }}',
}


def median_ms(template, context) -> float:
    template.render(context, request)
    times = []
    for _ in range(200):
        started = time.perf_counter()
        template.render(context, request)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


results = get_template("portfolio/programme_list.html#results")
print(f"the results, 25 programmes: {median_ms(results, {'page': page}):.2f} ms")
print(f"the results, 4 programmes: {median_ms(results, {'page': few}):.2f} ms")
for name, piece in pieces.items():
    template = engine.from_string(LOOP.replace("{0}", piece))
    print(f"{name}, 25 times: {median_ms(template, {'page': page}):.2f} ms")
navigation = engine.from_string('{% include "includes/_pagination.html" %}')
print(f"the page navigation: {median_ms(navigation, {'page': page}):.2f} ms")
