import ipaddress

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest

from . import services
from .models import User
from .roles import Role


def client_address(request: HttpRequest | None) -> str | None:
    """The client's IP address: REMOTE_ADDR, or with DJANGO_TRUSTED_PROXIES=n the address the
    n-th proxy from us saw in X-Forwarded-For (the ones before it can be forged by the client)."""
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR", "")
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if settings.TRUSTED_PROXIES and forwarded:
        address = forwarded[-min(settings.TRUSTED_PROXIES, len(forwarded))]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


THROTTLED = "There have been too many failed attempts to sign in. Wait 15 minutes, then try again."


class ThrottledMixin:
    """Refuses attempts while the username or address is throttled. The check and the record of
    the attempt are one step (accounts.services.sign_in_attempt_begin), taken before the password
    is checked, so a burst of concurrent attempts cannot all be checked."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password")
        ip_address = client_address(self.request)
        if not (username and password):
            # No password is checked, so nothing is recorded; a throttled sign-in still says so.
            if services.sign_in_locked_until(username=username, ip_address=ip_address):
                raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
            return super().clean()
        if services.sign_in_attempt_begin(username=username, ip_address=ip_address) is None:
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        cleaned = super().clean()  # a wrong password raises: its failure is already recorded
        if self.user_cache is not None:
            services.sign_in_success_record(username=username)
        return cleaned


ROLE_CHOICES = [(role.value, role.label) for role in Role]


class PersonFilterForm(forms.Form):
    """The people list's search and filters (GET)."""

    q = forms.CharField(label="Name, username or email", required=False, max_length=150)
    role = forms.ChoiceField(
        label="Role", required=False, choices=[("", "Any role"), ("none", "No role"), *ROLE_CHOICES]
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Active"), ("left", "Deactivated (left)"), ("all", "Everyone")],
    )


class PersonRolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label="Roles",
        required=False,
        choices=ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave every box empty for someone who should see nothing yet.",
    )


class PersonAddForm(PersonRolesForm):
    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)
    email = forms.EmailField(label="Email address", max_length=254)
    username = forms.RegexField(
        label="Username",
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        help_text="Letters, digits and @ . + - _ only. Their email address is a good choice.",
        error_messages={"invalid": "Enter a username of letters, digits and @ . + - _ only."},
    )
    job_title = forms.CharField(label="Job title", max_length=150, required=False)

    field_order = ["first_name", "last_name", "email", "username", "job_title", "roles"]


class RoleMappingForm(forms.Form):
    claim_value = forms.CharField(
        label="Group (value of the groups claim)",
        max_length=255,
        help_text="For Microsoft Entra ID, the group's object id, e.g. "
        "0b5a7c9e-3d1f-4f0a-9c61-2a7d3e8b4f10, or the value of an app role.",
    )
    role = forms.ChoiceField(label="Gives the role", choices=[("", "Choose a role"), *ROLE_CHOICES])
    description = forms.CharField(
        label="What this group is (optional)", max_length=200, required=False
    )


class ThrottledAuthenticationForm(ThrottledMixin, AuthenticationForm):
    """Django's sign-in form, refusing attempts while the username or address is throttled."""

    error_messages = {**AuthenticationForm.error_messages, "throttled": THROTTLED}


class ThrottledAdminAuthenticationForm(ThrottledMixin, AdminAuthenticationForm):
    """The admin's sign-in form (staff only), under the same throttle as /accounts/login/."""

    error_messages = {**AdminAuthenticationForm.error_messages, "throttled": THROTTLED}


# --- person pickers -----------------------------------------------------------------------------
def person_label(user: User) -> str:
    """How a person is offered in a picker: their name, with their job title."""
    return f"{user} ({user.job_title})" if user.job_title else str(user)


class PeopleByName:
    """Offers every person field of the form by name and job title, in name order."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.people_by_name()

    def people_by_name(self) -> None:
        """Forms that add person fields in their own __init__ call this again at its end."""
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField) and field.queryset.model is User:
                field.label_from_instance = person_label
                field.queryset = field.queryset.order_by("first_name", "last_name", "username")
