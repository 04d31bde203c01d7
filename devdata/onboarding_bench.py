"""`bench_probe onboarding`: an onboarding workbook of 500 programmes with their milestones,
benefits and profiles and 20,000 RAID rows, built in memory; the worker's preview (check) and
confirm (check again and write, one transaction) timed against a plain ``bulk_create`` of the
same rows (no parsing, no history rows), and the process's peak memory. ``QUICK=1 make bench``
imports a tenth of it (50 programmes, 2,000 RAID rows), as it builds the board pack and the
quarterly report at its smallest N only."""

from __future__ import annotations

import io
import resource
import time
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from openpyxl import Workbook

from accounts.models import User
from accounts.roles import Role
from benefits.models import Benefit, BenefitProfile
from governance.models import Action, Assumption, Dependency, Issue, Risk
from onboarding import run
from onboarding.models import OnboardingUpload, UploadStatus
from onboarding.sheets import SHEETS
from portfolio.models import Directorate, Milestone, Portfolio, Programme

PROGRAMMES = 500
MILESTONES = 5  # per programme
BENEFITS = 2  # per programme
YEARS = 3  # profile years per benefit
RAID = {
    "Risks": 8_000,
    "Issues": 4_000,
    "Assumptions": 4_000,
    "Dependencies": 2_000,
    "Actions": 2_000,
}  # fmt: skip  (20,000 rows)
START = date(2027, 4, 1)


def _people() -> list[User]:
    group, _ = Group.objects.get_or_create(name=Role.PMO.group_name)
    people = []
    for n in range(20):
        user, _ = User.objects.get_or_create(
            username=f"bench-onboard-{n}", defaults={"email": f"bench.onboard.{n}@example.org"}
        )
        user.groups.add(group)
        people.append(user)
    return people


def _raid(programmes: int) -> dict[str, int]:
    """The RAID rows of each sheet for ``programmes`` programmes (40 a programme, as RAID)."""
    return {sheet: count * programmes // PROGRAMMES for sheet, count in RAID.items()}


def rows(emails: list[str], programmes: int = PROGRAMMES) -> dict[str, list[list[Any]]]:
    """The workbook's rows, sheet by sheet, in each sheet's column order."""
    out: dict[str, list[list[Any]]] = {sheet.name: [] for sheet in SHEETS}
    for p in range(programmes):
        ref = f"BP-{p:04d}"
        person = emails[p % len(emails)]
        out["Programmes"].append(
            [ref, f"Bench programme {p:04d}", f"Programme {p} of the onboarding bench.",
             "Bench portfolio", "Bench directorate", "", person, "B"]
        )  # fmt: skip
        for m in range(MILESTONES):
            out["Milestones"].append(
                [ref, f"M-{m:02d}", f"Milestone {m} of {ref}", START + timedelta(days=30 * m),
                 START + timedelta(days=28 * m), None, "Not started", "", person]
            )  # fmt: skip
        for b in range(BENEFITS):
            out["Benefits"].append(
                [ref, f"B-{b:02d}", f"Benefit {b} of {ref}", "", "Cashable saving", "Planned",
                 person, "Pounds a year", "0", "100000"]
            )  # fmt: skip
            for y in range(YEARS):
                out["Benefit profiles"].append(
                    [ref, f"B-{b:02d}", f"{2027 + y}/{(28 + y) % 100:02d}", 50000 + 1000 * y,
                     48000 + 1000 * y, 0]
                )  # fmt: skip
    for sheet, count in _raid(programmes).items():
        for n in range(count):
            ref = f"BP-{n % programmes:04d}"
            key = f"{sheet[0]}-{n:05d}"
            person = emails[n % len(emails)]
            title = f"{sheet[:-1]} {n} of {ref}"
            if sheet == "Risks":
                row = [ref, key, title, "A cause", "An event", "An effect", 4, 4, 3, 3, 2, 2,
                       "Controls", "Further action", person, START, "This year", "Treat",
                       "Open", "No"]  # fmt: skip
            elif sheet == "Issues":
                row = [ref, key, title, "What happened", "High", person, "", "Open", START]
            elif sheet == "Assumptions":
                row = [ref, key, title, "Why we think so", person, START, "Open"]
            elif sheet == "Dependencies":
                row = [ref, key, title, "", f"BP-{(n + 1) % programmes:04d}", "", person, START,
                       "Open"]  # fmt: skip
            else:
                row = [ref, key, title, "", person, START, "Open", None]
            out[sheet].append(row)
    return out


def workbook(data: dict[str, list[list[Any]]]) -> bytes:
    book = Workbook(write_only=True)
    for sheet in SHEETS:
        ws = book.create_sheet(sheet.name)
        ws.append(sheet.headers)
        for row in data[sheet.name]:
            ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _floor(data: dict[str, list[list[Any]]], people: dict[str, User]) -> float:
    """A plain bulk_create of the same rows from the same values (no reading, no checks, no
    history rows), in a transaction rolled back."""
    portfolio = Portfolio.objects.get(name="Bench portfolio")
    directorate = Directorate.objects.get(name="Bench directorate")
    started = time.perf_counter()
    with transaction.atomic():
        programmes = Programme.objects.bulk_create(
            [Programme(reference=r[0], name=r[1], slug=r[0].lower(), description=r[2],
                       portfolio=portfolio, directorate=directorate, manager=people[r[6]],
                       category="B") for r in data["Programmes"]],
            batch_size=1000,
        )  # fmt: skip
        by_ref = {p.reference: p for p in programmes}
        Milestone.objects.bulk_create(
            [Milestone(programme=by_ref[r[0]], reference=r[1], title=r[2], due_date=r[3],
                       baseline_date=r[4], owner=people[r[8]]) for r in data["Milestones"]],
            batch_size=1000,
        )  # fmt: skip
        benefits = Benefit.objects.bulk_create(
            [Benefit(programme=by_ref[r[0]], reference=r[1], title=r[2], type="cashable_saving",
                     owner=people[r[6]], measure=r[7], baseline=r[8], target=r[9])
             for r in data["Benefits"]],
            batch_size=1000,
        )  # fmt: skip
        by_benefit = {(b.programme.reference, b.reference): b for b in benefits}
        BenefitProfile.objects.bulk_create(
            [BenefitProfile(benefit=by_benefit[(r[0], r[1])], financial_year=int(r[2][:4]),
                            planned=Decimal(r[3]), forecast=Decimal(r[4]), actual=Decimal(r[5]))
             for r in data["Benefit profiles"]],
            batch_size=1000,
        )  # fmt: skip
        Risk.objects.bulk_create(
            [Risk(programme=by_ref[r[0]], portfolio=portfolio, reference=r[1], title=r[2],
                  cause=r[3], event=r[4], effect=r[5], inherent_likelihood=r[6],
                  inherent_impact=r[7], residual_likelihood=r[8], residual_impact=r[9],
                  target_likelihood=r[10], target_impact=r[11], existing_controls=r[12],
                  further_action=r[13], owner=people[r[14]], review_date=r[15], proximity=r[16])
             for r in data["Risks"]],
            batch_size=1000,
        )  # fmt: skip
        Issue.objects.bulk_create(
            [Issue(programme=by_ref[r[0]], reference=r[1], title=r[2], description=r[3],
                   priority="high", owner=people[r[5]], raised_on=r[8]) for r in data["Issues"]],
            batch_size=1000,
        )  # fmt: skip
        Assumption.objects.bulk_create(
            [Assumption(programme=by_ref[r[0]], reference=r[1], title=r[2], description=r[3],
                        owner=people[r[4]], validation_date=r[5]) for r in data["Assumptions"]],
            batch_size=1000,
        )  # fmt: skip
        Dependency.objects.bulk_create(
            [Dependency(programme=by_ref[r[0]], reference=r[1], title=r[2],
                        depends_on=by_ref[r[4]], owner=people[r[6]], needed_by=r[7])
             for r in data["Dependencies"]],
            batch_size=1000,
        )  # fmt: skip
        actor = next(iter(people.values()))
        Action.objects.bulk_create(
            [Action(programme=by_ref[r[0]], reference=r[1], title=r[2], owner=people[r[4]],
                    due_date=r[5], created_by=actor) for r in data["Actions"]],
            batch_size=1000,
        )  # fmt: skip
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def measure(programmes: int = PROGRAMMES) -> dict[str, Any]:
    people = _people()
    Portfolio.objects.get_or_create(name="Bench portfolio", defaults={"slug": "bench-portfolio"})
    Directorate.objects.get_or_create(
        name="Bench directorate", defaults={"slug": "bench-directorate"}
    )
    if Programme.objects.filter(reference__startswith="BP-").exists():
        raise RuntimeError("The database already holds the bench's programmes: use a fresh one.")
    data = rows([p.email for p in people], programmes)
    started = time.perf_counter()
    body = workbook(data)
    build_s = time.perf_counter() - started
    floor_s = _floor(data, {p.email: p for p in people})
    upload = OnboardingUpload.objects.create(
        filename="bench.xlsx", data=body, size=len(body), uploaded_by=people[0]
    )
    started = time.perf_counter()
    checked = run.upload_check(upload_pk=upload.pk)
    preview_s = time.perf_counter() - started
    if checked.status != UploadStatus.PREVIEWED:
        raise RuntimeError(f"The bench workbook did not pass its check: {checked.problems[:5]}")
    OnboardingUpload.objects.filter(pk=upload.pk).update(
        status=UploadStatus.CONFIRMING, confirmed_by=people[0]
    )
    started = time.perf_counter()
    done = run.upload_confirm(upload_pk=upload.pk)
    confirm_s = time.perf_counter() - started
    if done.status != UploadStatus.CONFIRMED:
        raise RuntimeError(f"The bench workbook was not imported: {done.failure}")
    total = sum(len(v) for v in data.values())
    return {
        "rows": total,
        "raid_rows": sum(_raid(programmes).values()),
        "programmes": Programme.objects.filter(reference__startswith="BP-").count(),
        "xlsx_kb": len(body) // 1024,
        "build_s": build_s,
        "preview_s": preview_s,
        "confirm_s": confirm_s,
        "floor_s": floor_s,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
