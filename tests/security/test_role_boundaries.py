"""Row 5 of the outside test: a manager made a scrutiny member (or a no-role user) owner of a
benefit; the owner list offered every active user. Every person-picker now offers only people
whose role may hold that duty (accounts.rules.DUTY_ROLES), and the services refuse otherwise,
so a post that skips the form changes nothing. (The matrix part — owners made through the
database reach nothing — is in test_permission_matrix.py.)"""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from accounts.queries import people_for
from accounts.roles import Role
from accounts.rules import may_hold
from benefits import services as benefit_services
from benefits.forms import BenefitForm
from benefits.models import Benefit
from governance import services as governance_services
from governance.forms import ActionForm, BoardForm, DecideForm, RiskForm
from governance.models import Action, Risk
from portfolio import services as portfolio_services
from portfolio.forms import ProgrammeCreateForm
from portfolio.models import Programme
from tests.governance.factories import BoardFactory
from tests.portfolio.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    users = {role: make_user(role, username=role.value) for role in Role}
    users[None] = make_user(None, username="no-role")
    return users


def test_scrutiny_and_no_role_users_hold_no_duty(people):
    for duty in ("owner", "programme_manager", "sro", "board_chair", "board_member"):
        assert not may_hold(people[Role.SCRUTINY_MEMBER], duty)
        assert not may_hold(people[None], duty)
        offered = set(people_for(duty))
        assert people[Role.SCRUTINY_MEMBER] not in offered
        assert people[None] not in offered
    assert may_hold(people[Role.VIEWER], "owner")
    assert not may_hold(people[Role.VIEWER], "sro")
    assert not may_hold(people[Role.BOARD_MEMBER], "programme_manager")


def test_every_person_picker_offers_only_people_who_may_hold_the_duty(people):
    scrutiny, no_role = people[Role.SCRUTINY_MEMBER], people[None]
    pickers = [
        BenefitForm().fields["owner"],
        RiskForm().fields["owner"],
        ActionForm().fields["owner"],
        ProgrammeCreateForm().fields["manager"],
        ProgrammeCreateForm().fields["sro"],
        BoardForm(instance=BoardFactory()).fields["chair"],
        BoardForm(instance=BoardFactory()).fields["members"],
    ]
    for field in pickers:
        offered = set(field.queryset)
        assert scrutiny not in offered
        assert no_role not in offered


def test_the_decide_forms_condition_owners_exclude_scrutiny_and_no_role(people):
    offered = set(DecideForm().fields["condition_1_owner"].queryset)
    assert people[Role.SCRUTINY_MEMBER] not in offered
    assert people[None] not in offered
    assert people[Role.VIEWER] in offered


def test_a_post_naming_a_scrutiny_member_as_owner_is_a_form_error(people):
    form = BenefitForm(
        data={
            "title": "Income",
            "type": "income",
            "status": "planned",
            "owner": people[Role.SCRUTINY_MEMBER].pk,
        }
    )
    assert not form.is_valid()
    assert "owner" in form.errors


def test_the_benefit_services_refuse_an_owner_whose_role_may_not_own(people):
    programme = ProgrammeFactory()
    pmo = people[Role.PMO]
    for person in (people[Role.SCRUTINY_MEMBER], people[None]):
        with pytest.raises(ValidationError) as refused:
            benefit_services.benefit_create(
                programme=programme, actor=pmo, title="Income", type="income", owner=person
            )
        assert "cannot be chosen here" in str(refused.value)
    assert not Benefit.objects.exists()
    benefit = benefit_services.benefit_create(
        programme=programme, actor=pmo, title="Income", type="income", owner=people[Role.VIEWER]
    )
    with pytest.raises(ValidationError):
        benefit_services.benefit_update(
            benefit=benefit, actor=pmo, owner=people[Role.SCRUTINY_MEMBER]
        )
    benefit.refresh_from_db()
    assert benefit.owner == people[Role.VIEWER]


def test_the_log_and_action_services_refuse_such_owners(people):
    programme = ProgrammeFactory()
    pmo, scrutiny = people[Role.PMO], people[Role.SCRUTINY_MEMBER]
    risk = Risk(
        title="A risk",
        owner=scrutiny,
        inherent_likelihood=3,
        inherent_impact=3,
        residual_likelihood=2,
        residual_impact=2,
        target_likelihood=1,
        target_impact=1,
    )
    with pytest.raises(ValidationError):
        governance_services.log_entry_save(instance=risk, programme=programme, actor=pmo)
    with pytest.raises(ValidationError):
        governance_services.action_create(
            programme=programme, title="Do it", owner=people[None], due_date=date(2030, 1, 1),
            actor=pmo,
        )  # fmt: skip
    assert not Risk.objects.exists()
    assert not Action.objects.exists()


def test_the_programme_and_board_services_refuse_such_people(people):
    pmo = people[Role.PMO]
    with pytest.raises(ValidationError):
        portfolio_services.programme_create(
            name="Idea", actor=pmo, description="x", sro=people[Role.SCRUTINY_MEMBER]
        )
    with pytest.raises(ValidationError):
        portfolio_services.programme_create(
            name="Idea", actor=pmo, description="x", manager=people[Role.VIEWER]
        )
    assert not Programme.objects.filter(name="Idea").exists()
    board = BoardFactory()
    board.chair = people[None]
    with pytest.raises(ValidationError):
        governance_services.board_save(board=board, members=[], actor=pmo)
    board.refresh_from_db()
    with pytest.raises(ValidationError):
        governance_services.board_save(
            board=board, members=[people[Role.SCRUTINY_MEMBER]], actor=pmo
        )
    assert not board.members.exists()
