"""Load the demo portfolio from the seeds, once: running it again changes nothing."""

from django.core.management.base import BaseCommand
from django.db import transaction

from benefits.rollup import rollup_run
from devdata import accounts as accounts_demo
from devdata import benefits as benefits_demo
from devdata import gates as demo_gates
from devdata import governance as governance_demo
from devdata import portfolio as portfolio_demo
from devdata import reports as dashboard_demo
from portfolio.models import Programme


class Command(BaseCommand):
    help = "Load the demo data from the seeds (idempotent) and print the demo sign-ins."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--quiet", action="store_true", help="Do not print the sign-ins.")

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        before = Programme.objects.count()
        with transaction.atomic():
            people = accounts_demo.load()
            programmes = portfolio_demo.load(people)
            governance_demo.load(people, programmes)
            benefits_demo.load(people, programmes)
            demo_gates.load(people, programmes)
            dashboard_demo.load(people, programmes)
            # The first roll-up, once everything it adds up is loaded (idempotent: the same
            # data makes no new snapshot).
            rollup_run()
        added = Programme.objects.count() - before
        if added:
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {added} programmes."))
        else:
            self.stdout.write("Demo data already loaded: nothing changed.")
        if not options["quiet"]:
            self.stdout.write(f"\nDemo sign-ins (password: {accounts_demo.DEMO_PASSWORD})")
            for username, first, last, _title, roles in accounts_demo.SIGN_IN_USERS:
                role = ", ".join(r.label for r in roles)
                self.stdout.write(f"  {username:<10} {role:<18} {first} {last}")
