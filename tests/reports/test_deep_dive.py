"""The deep-dive pack (issue 21): one programme's PDF for scrutiny, built in the background
with its progress shown, read here through pdftotext."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import User
from portfolio.models import HighlightReport, Programme, Stage
from portfolio.services import assurance_rating_record
from reports.models import DeepDivePack, VersionStatus
from tests.benefits.factories import BenefitFactory, BenefitProfileFactory
from tests.governance.factories import RiskFactory
from tests.reports.test_reports import media, pdf_text  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivering(demo):
    programme = (
        Programme.objects.filter(stage=Stage.DELIVER, highlight_reports__isnull=False)
        .order_by("name")
        .first()
    )
    RiskFactory(programme=programme, title="Supplier insolvency", residual_likelihood=4,
                residual_impact=5, further_action="Second supplier on standby.")  # fmt: skip
    benefit = BenefitFactory(programme=programme, title="Lease income")
    BenefitProfileFactory(benefit=benefit, planned=Decimal("250000"),
                          baseline=Decimal("250000"), forecast=Decimal("180000"))  # fmt: skip
    report = HighlightReport.objects.filter(programme=programme).order_by("-month").first()
    HighlightReport.objects.filter(pk=report.pk).update(
        delivery_confidence="amber", confidence_rationale="Two milestones slipped in the autumn."
    )
    assurance_rating_record(
        programme=programme, delivery_confidence="amber_red", assessed_on=date(2024, 12, 20),
        rationale="The PMO sees no recovery plan yet.", actor=User.objects.get(username="pmo"),
    )  # fmt: skip
    return programme


def test_the_pmo_generates_a_deep_dive_pack_a_committee_can_read(
    delivering, client, django_capture_on_commit_callbacks
):
    pmo = User.objects.get(username="pmo")
    client.force_login(pmo)
    page = reverse("reports:deep_dive_list", kwargs={"slug": delivering.slug})
    assert "No pack has been generated yet." in client.get(page).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:deep_dive_generate", kwargs={"slug": delivering.slug}), follow=True
        )
    assert "Deep-dive pack 1 is being generated." in response.content.decode()
    pack = DeepDivePack.objects.get(programme=delivering)
    assert (pack.status, pack.progress) == (VersionStatus.GENERATED, 100), pack.error
    assert "Download pack 1 (PDF)" in client.get(page).content.decode()
    download = client.get(
        reverse("reports:deep_dive_download", kwargs={"slug": delivering.slug, "number": 1})
    )
    assert download.status_code == 200
    text = " ".join(pdf_text(b"".join(download.streaming_content)).split())
    assert f"Deep dive: {delivering.name}" in text
    for heading in ("Summary", "Stage history and decisions", "Delivery confidence",
                    "Plan against baseline", "Benefits", "Top risks",
                    "Lessons learned"):  # fmt: skip
        assert heading.lower() in text.lower()
    assert "Two milestones slipped in the autumn." in text
    assert "The PMO sees no recovery plan yet." in text
    assert "Amber/Red" in text
    # The programme's own lessons (the demo records one on Agile Accommodation), none of another's.
    assert delivering.slug == "agile-accommodation"
    assert "Agree the baseline occupancy" in text  # a table cell: wrapped, so only its start
    assert "Test the market before committing" not in text
    assert "Supplier insolvency" in text
    assert "20 High" in text
    assert "Second supplier on standby." in text
    assert "Lease income" in text
    assert "£180,000" in text
    # A viewer reads the pack; a scrutiny member, who reads published reports only, may not.
    client.force_login(User.objects.get(username="viewer"))
    assert client.get(page).status_code == 200
    assert (
        client.post(
            reverse("reports:deep_dive_generate", kwargs={"slug": delivering.slug})
        ).status_code
        == 403
    )
    client.force_login(User.objects.get(username="scrutiny"))
    assert client.get(page).status_code == 403


def test_progress_is_shown_while_a_pack_is_built_and_a_second_request_joins_it(delivering, client):
    client.force_login(User.objects.get(username="pmo"))
    generate = reverse("reports:deep_dive_generate", kwargs={"slug": delivering.slug})
    client.post(generate)  # not committed in the test: the build does not run
    pack = DeepDivePack.objects.get(programme=delivering)
    DeepDivePack.objects.filter(pk=pack.pk).update(status="generating", progress=50)
    response = client.post(generate, follow=True)
    assert "Pack 1 is already being generated" in response.content.decode()
    assert DeepDivePack.objects.count() == 1
    status = client.get(
        reverse("reports:deep_dive_status", kwargs={"slug": delivering.slug}),
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "Generating: 50% done" in status
    assert 'hx-trigger="every 2s"' in status


def test_a_failed_build_says_why(
    delivering, client, monkeypatch, django_capture_on_commit_callbacks
):
    from reports import deepdive

    def broken(data):
        raise RuntimeError("WeasyPrint is not installed")

    monkeypatch.setattr(deepdive, "render_deep_dive_pdf", broken)
    client.force_login(User.objects.get(username="pmo"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:deep_dive_generate", kwargs={"slug": delivering.slug}))
    page = client.get(reverse("reports:deep_dive_list", kwargs={"slug": delivering.slug}))
    text = page.content.decode()
    assert "Pack 1 could not be generated" in text
    assert "WeasyPrint is not installed" in text
    assert DeepDivePack.objects.get().status == VersionStatus.FAILED
