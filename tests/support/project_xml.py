"""Microsoft Project plans as "Save as XML" writes them (MSPDI), built by the tests."""

from dataclasses import dataclass, field
from datetime import date

HEADER = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Project xmlns="http://schemas.microsoft.com/project">
<SaveVersion>14</SaveVersion>
<BuildNumber>16.0.18025.20000</BuildNumber>
<Name>{name}.xml</Name>
<Title>{title}</Title>
<ScheduleFromStart>1</ScheduleFromStart>
<StartDate>2026-04-01T08:00:00</StartDate>
<CalendarUID>1</CalendarUID>
<DefaultStartTime>08:00:00</DefaultStartTime>
<MinutesPerDay>480</MinutesPerDay>
<CurrencySymbol>£</CurrencySymbol>
<Calendars><Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar></Calendar></Calendars>
"""


@dataclass
class Task:
    uid: int
    name: str
    finish: str  # as Project writes it: 2026-09-30T17:00:00
    outline: str = "1"
    milestone: bool = True
    summary: bool = False
    baseline: str = ""
    actual: str = ""
    percent: int = 0
    resource: int | None = None
    predecessors: list[int] = field(default_factory=list)

    def xml(self) -> str:
        level = self.outline.count(".") + 1
        baseline = (
            f"<Baseline><Number>0</Number><Start>{self.baseline}</Start>"
            f"<Finish>{self.baseline}</Finish><Duration>PT0H0M0S</Duration></Baseline>"
            if self.baseline
            else ""
        )
        links = "".join(
            f"<PredecessorLink><PredecessorUID>{p}</PredecessorUID><Type>1</Type>"
            "<CrossProject>0</CrossProject><LinkLag>0</LinkLag><LagFormat>7</LagFormat>"
            "</PredecessorLink>"
            for p in self.predecessors
        )
        actual = f"<ActualFinish>{self.actual}</ActualFinish>" if self.actual else ""
        return (
            f"<Task><UID>{self.uid}</UID><ID>{self.uid}</ID><Name>{self.name}</Name>"
            "<Active>1</Active><Manual>0</Manual><Type>1</Type><IsNull>0</IsNull>"
            f"<CreateDate>2026-03-02T09:12:00</CreateDate><WBS>{self.outline}</WBS>"
            f"<OutlineNumber>{self.outline}</OutlineNumber><OutlineLevel>{level}</OutlineLevel>"
            f"<Priority>500</Priority><Start>{self.finish}</Start><Finish>{self.finish}</Finish>"
            "<Duration>PT0H0M0S</Duration><DurationFormat>7</DurationFormat><Work>PT0H0M0S</Work>"
            f"<Milestone>{int(self.milestone)}</Milestone><Summary>{int(self.summary)}</Summary>"
            f"<Critical>1</Critical><PercentComplete>{self.percent}</PercentComplete>"
            f"{actual}<ConstraintType>0</ConstraintType><CalendarUID>-1</CalendarUID>"
            f"{links}<ExtendedAttribute><FieldID>188743731</FieldID><Value>x</Value>"
            f"</ExtendedAttribute>{baseline}</Task>"
        )


def project_xml(
    tasks: list[Task], people: dict[int, tuple[str, str]], title: str = "Plan"
) -> bytes:
    """A plan: a project summary task (UID 0), ``tasks``, ``people`` {UID: (name, email)}
    as resources, and an assignment for each task that names a resource."""
    summary = Task(0, title, "2027-03-31T17:00:00", outline="0", milestone=False, summary=True)
    resources = "".join(
        f"<Resource><UID>{uid}</UID><ID>{uid}</ID><Name>{name}</Name><Type>1</Type>"
        f"<IsNull>0</IsNull><EmailAddress>{email}</EmailAddress></Resource>"
        for uid, (name, email) in people.items()
    )
    assignments = "".join(
        f"<Assignment><UID>{n}</UID><TaskUID>{t.uid}</TaskUID><ResourceUID>{t.resource}"
        "</ResourceUID><Units>1</Units></Assignment>"
        for n, t in enumerate(tasks, start=1)
        if t.resource is not None
    )
    body = (
        HEADER.format(name=title.replace(" ", "-"), title=title)
        + "<Tasks>" + summary.xml().replace("<OutlineLevel>1<", "<OutlineLevel>0<")
        + "".join(t.xml() for t in tasks) + "</Tasks>"
        + "<Resources><Resource><UID>0</UID><ID>0</ID><Type>1</Type><IsNull>0</IsNull>"
        + f"</Resource>{resources}</Resources>"
        + f"<Assignments>{assignments}</Assignments></Project>"
    )  # fmt: skip
    return body.encode()


def day(value: date) -> str:
    return f"{value:%Y-%m-%d}T17:00:00"
