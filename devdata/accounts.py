"""Demo users: one per role (password ``delivery-hub-demo``), and the other people the seeds name
by role (portfolio leads, board members, programme managers) who do not sign in."""

from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import Role

DEMO_PASSWORD = "delivery-hub-demo"  # noqa: S105 - the documented demo password

# username, first name, last name, job title, roles
SIGN_IN_USERS = [
    ("pmo", "Priya", "Morgan", "Transformation PMO Lead, Delivery Hub", [Role.PMO]),
    ("manager", "Mark", "Evans", "Programme Manager", [Role.PROGRAMME_MANAGER]),
    ("sro", "Sarah", "Reid", "Director of Finance", [Role.SRO]),
    (
        "board",
        "Ben",
        "Ortiz",
        "Director, member of STB and the Delivery Board",
        [Role.BOARD_MEMBER],
    ),
    (
        "scrutiny",
        "Sam",
        "Green",
        "Councillor, Performance and Corporate Services Overview & Scrutiny Committee",
        [Role.SCRUTINY_MEMBER],
    ),
    ("viewer", "Vic", "Walker", "Policy Officer", [Role.VIEWER]),
]

# People who appear in the demo but do not sign in (no usable password).
OTHER_PEOPLE = [
    ("cherie", "Cherie", "", "Portfolio Lead, Employer of Choice", [Role.BOARD_MEMBER]),
    ("robin", "Robin", "", "Portfolio Lead, Partner of Choice", [Role.BOARD_MEMBER]),
    ("emily", "Emily", "", "Portfolio Lead, Place Shaper of Choice", [Role.BOARD_MEMBER]),
    ("chief.executive", "Chief", "Executive", "Chief Executive, chair of STB", [Role.BOARD_MEMBER]),
    (
        "transformation.director",
        "Interim Director",
        "of Transformation",
        "Chair of the Delivery Board",
        [Role.BOARD_MEMBER],
    ),
    ("alex.hughes", "Alex", "Hughes", "Programme Manager", [Role.PROGRAMME_MANAGER]),
    ("jo.patel", "Jo", "Patel", "Programme Manager", [Role.PROGRAMME_MANAGER]),
    ("chris.doyle", "Chris", "Doyle", "Programme Manager", [Role.PROGRAMME_MANAGER]),
    ("dana.khan", "Dana", "Khan", "Director, SRO", [Role.SRO]),
    ("lee.brooks", "Lee", "Brooks", "Director, SRO", [Role.SRO]),
]


def load() -> dict[str, User]:
    groups = {role: Group.objects.get_or_create(name=role.group_name)[0] for role in Role}
    people: dict[str, User] = {}
    for can_sign_in, rows in ((True, SIGN_IN_USERS), (False, OTHER_PEOPLE)):
        for username, first, last, title, roles in rows:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "job_title": title,
                    "email": f"{username}@delivery-hub.example",
                },
            )
            if created:
                if can_sign_in:
                    user.set_password(DEMO_PASSWORD)
                else:
                    user.set_unusable_password()
                user.save()
                user.groups.set([groups[role] for role in roles])
            people[username] = user
    return people
