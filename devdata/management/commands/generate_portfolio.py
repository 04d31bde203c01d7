"""A deterministic synthetic portfolio at scale, for `make bench` (see devdata/synthetic.py)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from devdata import synthetic
from portfolio.models import Programme


class Command(BaseCommand):
    help = "Generate N synthetic programmes (deterministic for --seed) with bulk inserts."
    requires_system_checks: list[str] = []  # bin/bench runs it after `migrate` has checked

    def add_arguments(self, parser):
        parser.add_argument("--programmes", type=int, required=True, help="How many programmes.")
        parser.add_argument("--seed", type=int, default=1, help="The random seed (default 1).")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Run even though the database already holds programmes (adds to them).",
        )

    def handle(self, *args, **options) -> None:
        count = options["programmes"]
        if count < 1:
            raise CommandError("--programmes must be at least 1.")
        existing = Programme.objects.count()
        if existing and not options["replace"]:
            raise CommandError(
                f"The database {connection.settings_dict['NAME']} already holds {existing} "
                "programmes: use an empty database, or pass --replace."
            )
        started = time.perf_counter()
        result = synthetic.portfolio_generate(programmes=count, seed=options["seed"])
        seconds = time.perf_counter() - started
        rows = ", ".join(f"{name} {n:,}" for name, n in result.rows.items())
        self.stdout.write(
            self.style.SUCCESS(f"Generated {result.programmes:,} programmes in {seconds:.1f}s.")
        )
        self.stdout.write(f"The database now holds: {rows}.")
