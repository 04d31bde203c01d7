"""The PMO's journey, as a new user would take it: download the template, fill it, preview it,
see the errors, fix them, confirm, and find the programmes, plans and registers there; then
download the workbook, import it back unchanged, and change one row."""

import copy

import pytest

from benefits.models import Benefit, BenefitProfile
from governance.models import (
    Action,
    Assumption,
    Decision,
    Dependency,
    Issue,
    RaciAssignment,
    Risk,
)
from onboarding.models import UploadStatus
from portfolio.models import Milestone, Programme, StageDocument
from tests.onboarding.builders import edit, fill, realistic

pytestmark = pytest.mark.django_db

REGISTERS = [Programme, Milestone, Benefit, BenefitProfile, Risk, Issue, Assumption, Dependency,
             Action, Decision, RaciAssignment]  # fmt: skip


def counts():
    return {model.__name__: model.objects.count() for model in REGISTERS}


def test_the_pmo_previews_fixes_and_confirms_a_filled_template(
    people, places, pmo_client, template, upload, confirm
):
    rows = realistic(people)
    broken = copy.deepcopy(rows)
    broken["Milestones"][1]["Forecast date"] = "31/02/2026"
    broken["Benefit profiles"][0]["Planned"] = "125k"
    broken["Risks"][0]["Owner email"] = "nobody@example.org"
    broken["Milestones"][2]["Reference"] = "M-01"
    broken["Milestones"][2]["Programme ref"] = "TP-001"
    broken["Actions"][0]["Programme ref"] = "TP-999"
    before = counts()

    first = upload(fill(template, broken))

    assert first.status == UploadStatus.INVALID
    found = {(p["sheet"], p["row"], p["column"]) for p in first.problems}
    assert ("Milestones", 3, "Forecast date") in found
    assert ("Benefit profiles", 2, "Planned") in found
    assert ("Risks", 2, "Owner email") in found
    assert ("Milestones", 4, "Reference") in found
    assert ("Actions", 2, "Programme ref") in found
    assert first.summary["unknown_people"][0]["email"] == "nobody@example.org"
    assert counts() == before
    page = pmo_client.get(first.get_absolute_url()).content.decode()
    assert "Nothing can be imported" in page
    assert "“31/02/2026” is not a date" in page
    assert "nobody@example.org" in page
    assert "Confirm and import" not in page

    fixed = upload(fill(template, rows))
    assert fixed.status == UploadStatus.PREVIEWED, fixed.problems
    assert fixed.totals == {"create": 20, "update": 0, "unchanged": 0}
    page = pmo_client.get(fixed.get_absolute_url()).content.decode()
    assert "Confirm and import 20 rows" in page
    assert "Fewer phone calls, 2027/28" in page  # a profile, named by its benefit and year
    assert "Approve the business case: " in page
    assert counts() == before

    done = confirm(fixed)

    assert done.status == UploadStatus.CONFIRMED, (done.failure, done.problems)
    front = Programme.objects.get(reference="TP-001")
    assert front.name == "Digital front door"
    assert front.manager == people["manager"]
    assert front.sro == people["sro"]
    assert front.portfolio == places["portfolio"]
    assert front.directorate == places["directorate"]
    assert StageDocument.objects.filter(programme=front, kind="soc").exists()
    assert front.history.first().history_user == people["pmo"]
    assert list(front.milestones.order_by("reference").values_list("reference", "title")) == [
        ("M-01", "Discovery complete"), ("M-02", "Beta live"),
    ]  # fmt: skip
    benefit = Benefit.objects.get(programme=front, reference="B-01")
    assert [str(p.forecast) for p in benefit.profile.order_by("financial_year")] == [
        "120000.00", "250000.00",
    ]  # fmt: skip
    risk = Risk.objects.get(programme=front, reference="R-001")
    assert risk.residual_score == 12
    assert risk.portfolio == places["portfolio"]
    care = Programme.objects.get(reference="TP-002")
    assert Dependency.objects.get(programme=care).depends_on == front
    assert Action.objects.get(reference="ACT-001").created_by == people["pmo"]
    assert Decision.objects.get(reference="DEC-001").recorded_by == people["pmo"]
    assert RaciAssignment.objects.get(person=people["sro"]).role == "A"
    assert counts() == {name: before[name] + n for name, n in {
        "Programme": 2, "Milestone": 3, "Benefit": 2, "BenefitProfile": 3, "Risk": 2,
        "Issue": 1, "Assumption": 1, "Dependency": 2, "Action": 1, "Decision": 1,
        "RaciAssignment": 2,
    }.items()}  # fmt: skip
    page = pmo_client.get(done.get_absolute_url()).content.decode()
    assert "Import complete" in page

    # The workbook downloaded, imported back as it is: every row unchanged, nothing written.
    exported = b"".join(pmo_client.get("/onboarding/portfolio.xlsx").streaming_content)
    again = upload(exported)
    assert again.status == UploadStatus.PREVIEWED, again.problems
    assert again.totals == {"create": 0, "update": 0, "unchanged": 20}

    # One cell changed in Excel: one row to update, and only it changes.
    risks = next(s for s in again.summary["sheets"] if s["name"] == "Risks")
    assert risks["unchanged"] == 2
    changed = upload(edit(exported, "Risks", 2, "Residual impact", 2))
    assert changed.totals == {"create": 0, "update": 1, "unchanged": 19}
    sample = next(s for s in changed.summary["sheets"] if s["name"] == "Risks")["samples"]
    assert sample[0]["changes"] == ["Residual impact"]
    confirm(changed)
    # The sheet lists programmes by name: row 2 is the care programme's risk.
    assert Risk.objects.get(title="Care market fragility").residual_impact == 2
    assert Risk.objects.get(title="Supplier capacity").residual_impact == 4
    assert counts()["Risk"] == before["Risk"] + 2
