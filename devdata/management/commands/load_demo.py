"""Load the demo portfolio from the seed facts in devdata/data, once: running it again changes
nothing."""

from django.core.management.base import BaseCommand

from accounts.roles import Role
from devdata import loader
from portfolio.models import Programme


class Command(BaseCommand):
    help = "Load the demo data from the seeds (idempotent) and print the demo sign-ins."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Do not print the sign-ins.")

    def handle(self, *args, **options) -> None:
        before = Programme.objects.count()
        loader.load()
        added = Programme.objects.count() - before
        if added:
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {added} programmes."))
        else:
            self.stdout.write("Demo data already loaded: nothing changed.")
        if not options["quiet"]:
            people = loader.entry("people", "people")
            self.stdout.write(f"\nDemo sign-ins (password: {people['password']})")
            for person in people["sign_in"]:
                role = ", ".join(Role(r).label for r in person["roles"])
                name = f"{person['first_name']} {person['last_name']}"
                self.stdout.write(f"  {person['username']:<10} {role:<18} {name}")
