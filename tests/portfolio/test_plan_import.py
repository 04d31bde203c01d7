"""A manager brings a Microsoft Project plan (MSPDI XML, as "Save as XML" writes it) into a
programme's plan: preview, confirm, all or nothing; a second import updates; bad files refused."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portfolio.models import Milestone, MilestoneStatus, Programme, Stage
from tests.support.project_xml import Task, day, project_xml

pytestmark = pytest.mark.django_db

IMPORT = "/programmes/commercial/plan/import/"
CONFIRM = "/programmes/commercial/plan/import/confirm/"


def plan_file(world, **changes) -> bytes:
    sro = world["people"]["sro"]
    sro.email = "sro@council.example"
    sro.save()
    tasks = [
        Task(1, "Design phase", day(dt.date(2026, 9, 30)), outline="1", milestone=False,
             summary=True),
        Task(2, "Business case signed off", day(dt.date(2026, 6, 30)), outline="1.1",
             baseline=day(dt.date(2026, 6, 15)), actual=day(dt.date(2026, 1, 20)), percent=100),
        Task(3, "Build pricing engine", day(dt.date(2026, 9, 1)), outline="1.2",
             milestone=False),
        Task(4, "Delivery", day(dt.date(2027, 3, 31)), outline="2", milestone=False,
             summary=True),
        Task(5, "Trading company live", changes.get("finish", day(dt.date(2026, 12, 1))),
             outline="2.1", baseline=day(dt.date(2026, 11, 30)), resource=1,
             predecessors=[3]),
    ]  # fmt: skip
    people = {1: ("Sam SRO", changes.get("email", "SRO@council.example"))}
    return project_xml(tasks, people, title="Commercial delivery plan")


def upload(client, data: bytes, name: str = "plan.xml"):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, data, "text/xml")})


def confirm_from(client, preview) -> object:
    rows = preview.context["confirm"].initial["rows"]
    return client.post(CONFIRM, {"rows": rows})


def test_a_project_plan_is_previewed_then_imported_and_a_second_import_updates(
    logs_world, client_as
):
    client = client_as(logs_world["people"]["manager"])
    preview = upload(client, plan_file(logs_world))
    text = preview.content.decode()
    assert "Check the plan before importing it" in text
    assert "2 milestones to add, 0 to update, 0 unchanged" in text
    assert not Milestone.objects.exists()  # nothing until confirmed

    response = confirm_from(client, preview)
    assert response.status_code == 302
    signed, live = Milestone.objects.in_plan_order()
    assert (signed.reference, signed.stage, signed.status) == (
        "MSP-2",
        Stage.DESIGN,
        MilestoneStatus.COMPLETE,
    )
    assert signed.completed_on == dt.date(2026, 1, 20)
    assert signed.baseline_date == dt.date(2026, 6, 15)
    assert (live.reference, live.stage, live.owner) == (
        "MSP-5",
        Stage.DELIVER,
        logs_world["people"]["sro"],
    )
    assert (live.due_date, live.baseline_date, live.days_late) == (
        dt.date(2026, 12, 1),
        dt.date(2026, 11, 30),
        1,
    )
    assert "2 milestones added, 0 updated, 0 unchanged" in client.get(PLAN_URL).content.decode()

    # The same plan again: unchanged. Then the live date slips in Project: one update.
    again = upload(client, plan_file(logs_world))
    assert "0 milestones to add, 0 to update, 2 unchanged" in again.content.decode()
    slipped = upload(client, plan_file(logs_world, finish=day(dt.date(2027, 1, 15))))
    text = slipped.content.decode()
    assert "0 milestones to add, 1 to update, 1 unchanged" in text
    assert "1 Dec 2026 → 15 Jan 2027" in text
    confirm_from(client, slipped)
    live.refresh_from_db()
    assert live.due_date == dt.date(2027, 1, 15)
    assert Milestone.objects.count() == 2


PLAN_URL = "/programmes/commercial/plan/"


def test_an_unknown_person_is_listed_and_nothing_is_imported(logs_world, client_as):
    client = client_as(logs_world["people"]["manager"])
    response = upload(client, plan_file(logs_world, email="nobody@council.example"))
    text = response.content.decode()
    assert "Nothing was imported" in text
    assert "nobody@council.example is not a person in Delivery Hub" in text
    assert "confirm" not in response.context or response.context.get("confirm") is None
    assert not Milestone.objects.exists()


def test_in_deliver_a_file_that_moves_a_baseline_is_refused(logs_world, client_as):
    client = client_as(logs_world["people"]["manager"])
    confirm_from(client, upload(client, plan_file(logs_world)))
    Programme.objects.filter(slug="commercial").update(stage=Stage.DELIVER)
    data = plan_file(logs_world).replace(b"2026-11-30T17", b"2027-01-30T17")
    text = upload(client, data).content.decode()
    assert "move only through an approved change request" in text
    assert Milestone.objects.get(reference="MSP-5").baseline_date == dt.date(2026, 11, 30)


def test_a_tampered_or_stale_preview_imports_nothing(logs_world, client_as):
    client = client_as(logs_world["people"]["manager"])
    preview = upload(client, plan_file(logs_world))
    rows = preview.context["confirm"].initial["rows"]
    response = client.post(CONFIRM, {"rows": rows[:-3] + "abc"})
    assert "The preview has expired or was changed" in response.content.decode()
    assert not Milestone.objects.exists()


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<Project xmlns="http://schemas.microsoft.com/project"><Title>&lol2;</Title></Project>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE p [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Project xmlns="http://schemas.microsoft.com/project"><Title>&secret;</Title></Project>"""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (BOMB, "The Project file is damaged and cannot be read"),
        (EXTERNAL, "The Project file is damaged and cannot be read"),
        (b"<Project><Tasks><Task><UID>1</UID>", "cut short"),
        (b"<html><body>Not a plan</body></html>", "not a Microsoft Project XML plan"),
        (b"", "The submitted file is empty"),
        (b"x" * (5 * 1024 * 1024 + 1), "The file is larger than 5 MB"),
        (b'<Project xmlns="http://schemas.microsoft.com/project"><Tasks></Tasks></Project>',
         "The plan has no milestones"),
    ],
    ids=["xml bomb", "external entity", "truncated", "not project", "empty", "too large",
         "no milestones"],
)  # fmt: skip
def test_a_bad_file_is_refused_with_a_clear_message(logs_world, client_as, data, message):
    client = client_as(logs_world["people"]["manager"])
    response = upload(client, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "root:" not in response.content.decode()
    assert not Milestone.objects.exists()


def test_a_bad_date_or_a_duplicated_task_is_shown_where_it_is(logs_world, client_as):
    client = client_as(logs_world["people"]["manager"])
    data = plan_file(logs_world, finish="2026-02-31T17:00:00")
    text = upload(client, data).content.decode()
    assert (
        "Task “Trading company live” (UID 5): the finish date “2026-02-31T17:00:00” is not a date."
        in text
    )
    doubled = plan_file(logs_world).replace(b"<UID>2</UID>", b"<UID>5</UID>")
    assert (
        "the reference MSP-5 is used twice in the file" in upload(client, doubled).content.decode()
    )
    assert not Milestone.objects.exists()


def test_only_the_programme_team_imports(logs_world, client_as):
    for who in ("viewer", "other_manager", "board"):
        client = client_as(logs_world["people"][who])
        assert client.get(IMPORT).status_code == 403
        assert upload(client, plan_file(logs_world)).status_code == 403
    assert not Milestone.objects.exists()
