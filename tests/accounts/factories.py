import factory
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from accounts.models import User

PASSWORD = "correct-horse-battery-staple"
_hashed: dict[tuple[str, ...], str] = {}


def password_hash() -> str:
    """PASSWORD hashed once per process and hasher setting: a user is written once, not saved
    again for ``set_password`` (each save a history row)."""
    hashers = tuple(settings.PASSWORD_HASHERS)
    if hashers not in _hashed:
        _hashed[hashers] = make_password(PASSWORD)
    return _hashed[hashers]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.LazyFunction(password_hash)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not self.check_password(PASSWORD):  # a user that was there already: as before
            self.set_password(PASSWORD)
            self.save()
        for role in extracted or []:
            self.groups.add(Group.objects.get_or_create(name=role.group_name)[0])
