"""Forms for the governance logs: edit forms, filter forms, the import upload and the RACI grid."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from accounts.forms import PeopleByName
from accounts.models import User
from accounts.queries import people_for
from benefits.forms import FinancialYearFormField, MoneyField
from core.limits import SHORT_TEXT
from core.numbers import whole_number
from portfolio.models import Category, Directorate, Portfolio, Programme, Stage

from . import closure
from .models import (
    Action,
    ActionStatus,
    Assumption,
    Board,
    BoardKind,
    ChangeRequest,
    ChangeThresholds,
    Dependency,
    GatePolicy,
    HandoverOutcome,
    Issue,
    IssuePriority,
    Lesson,
    LessonPolarity,
    LessonStatus,
    LessonTheme,
    LogStatus,
    Outcome,
    RaciActivity,
    RaciRole,
    ReportingCalendar,
    Risk,
    RiskResponse,
    RiskStatus,
    SignOff,
)
from .services import ProgrammeMove

CONDITION_SLOTS = 3


class DecideForm(PeopleByName, forms.Form):
    """A board member's (or the SRO's) decision on the current step of a gate review."""

    step = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    outcome = forms.ChoiceField(choices=Outcome.choices, widget=forms.RadioSelect, label="Decision")
    reasons = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Recorded in the decision log. For a deferral, the programme team sees them on "
        "the document.",
    )

    def __init__(
        self, *args, sets_terms: bool = False, agrees_investment: bool = False, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sets_terms = sets_terms
        self.agrees_investment = agrees_investment
        if agrees_investment:
            self.fields["guardrails"] = forms.CharField(
                required=False, widget=forms.Textarea(attrs={"rows": 3}),
                help_text="STB defines the guardrails the Full Brief is developed within. "
                "They become a new version, shown on the programme with this gate.",
            )  # fmt: skip
            self.fields["investment"] = MoneyField(
                label="Agreed investment (£)",
                help_text="The one-off investment the board agrees, in pounds.",
            )  # fmt: skip
            self.fields["expected_return"] = MoneyField(
                label="Expected return (£)",
                help_text="The savings or income the investment is expected to return.",
            )  # fmt: skip
            self.fields["return_period_years"] = forms.IntegerField(
                label="Over how many years", required=False, min_value=1, max_value=30,
                widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
            )  # fmt: skip
        if sets_terms:
            self.fields["portfolio"] = forms.ModelChoiceField(
                queryset=Portfolio.objects.all(), required=False,
                help_text="STB assigns the portfolio at Gate 1.",
            )  # fmt: skip
            self.fields["category"] = forms.ChoiceField(
                choices=[("", "Choose a category"), *Category.choices], required=False
            )
            self.fields["guardrails"] = forms.CharField(
                required=False, widget=forms.Textarea(attrs={"rows": 3}),
                help_text="The guidance STB sets on the programme's guardrails.",
            )  # fmt: skip
        people = people_for("owner")
        for n in range(1, CONDITION_SLOTS + 1):
            self.fields[f"condition_{n}"] = forms.CharField(
                label=f"Condition {n}", required=False, max_length=200,
                help_text="Only for approve with conditions: each becomes a tracked action."
                if n == 1 else "",
            )  # fmt: skip
            self.fields[f"condition_{n}_owner"] = forms.ModelChoiceField(
                label=f"Condition {n} owner", queryset=people, required=False
            )
            self.fields[f"condition_{n}_due"] = forms.DateField(
                label=f"Condition {n} due date", required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )  # fmt: skip
        self.people_by_name()

    def clean(self) -> dict:
        data = super().clean()
        conditions = []
        for n in range(1, CONDITION_SLOTS + 1):
            title = data.get(f"condition_{n}", "").strip()
            owner, due = data.get(f"condition_{n}_owner"), data.get(f"condition_{n}_due")
            if not (title or owner or due):
                continue
            if not title:
                self.add_error(f"condition_{n}", f"Enter condition {n}")
            if not owner:
                self.add_error(f"condition_{n}_owner", f"Choose who owns condition {n}")
            if not due:
                self.add_error(f"condition_{n}_due", f"Enter the due date of condition {n}")
            if title and owner and due:
                conditions.append({"title": title, "owner": owner, "due_date": due})
        outcome = data.get("outcome")
        if outcome == Outcome.APPROVE_WITH_CONDITIONS and not conditions and not self.errors:
            self.add_error(
                "condition_1", "Enter at least one condition, with its owner and due date"
            )
        if outcome and outcome != Outcome.APPROVE_WITH_CONDITIONS and conditions:
            self.add_error("outcome", "Conditions go with approve with conditions")
        if self.agrees_investment and outcome and Outcome(outcome).approves:
            for name, message in (
                ("investment", "Enter the investment the board agrees"),
                ("expected_return", "Enter the expected return on the investment"),
                ("return_period_years", "Enter over how many years the return is expected"),
            ):
                # Blank money reads as £0: what the board agrees must be typed.
                typed = str(self.data.get(self.add_prefix(name), "")).strip()
                if not typed and name not in self.errors:
                    self.add_error(name, message)
        if self.sets_terms and outcome and Outcome(outcome).approves:
            if not data.get("portfolio"):
                self.add_error("portfolio", "Choose the portfolio STB assigns")
            if not data.get("category"):
                self.add_error("category", "Choose the category STB assigns")
        data["conditions"] = conditions
        return data


class GatePolicyForm(forms.Form):
    def __init__(self, *args, policy: GatePolicy, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        current = list(policy.sign_offs)
        for n in range(1, 5):
            self.fields[f"sign_off_{n}"] = forms.ChoiceField(
                label=f"Sign-off {n}", required=n == 1,
                choices=[("", "None"), *SignOff.choices],
                initial=current[n - 1] if len(current) >= n else "",
            )  # fmt: skip

    @property
    def sign_offs(self) -> list[str]:
        return [v for n in range(1, 5) if (v := self.cleaned_data.get(f"sign_off_{n}"))]


class ProgrammeStatusForm(forms.Form):
    move = forms.ChoiceField(
        choices=ProgrammeMove.choices, widget=forms.RadioSelect, label="Decision"
    )
    board = forms.ModelChoiceField(
        queryset=Board.objects.filter(kind__in=[BoardKind.STB, BoardKind.DELIVERY]),
        empty_label="Choose the board",
    )
    reasons = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SCORE = [(n, str(n)) for n in range(1, 6)]
SCALES = {
    "likelihood": ["rare", "unlikely", "possible", "likely", "almost certain"],
    "impact": ["minimal", "minor", "moderate", "major", "severe"],
}
SCORED_FIELDS = [
    f"{level}_{axis}" for level in ("inherent", "residual", "target")
    for axis in ("likelihood", "impact")
]  # fmt: skip


class OwnerPickerMixin:
    """The owner picker offers only people whose role may own a log entry (and the current
    owner, so an edit does not force a change)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        field.queryset = people_for("owner", keep=[self.instance.owner_id])


class RiskForm(PeopleByName, OwnerPickerMixin, forms.ModelForm):
    class Meta:
        model = Risk
        fields = [
            "title", "cause", "event", "effect",
            "inherent_likelihood", "inherent_impact", "residual_likelihood", "residual_impact",
            "target_likelihood", "target_impact", "existing_controls", "further_action",
            "owner", "review_date", "proximity", "response", "status", "escalated",
        ]  # fmt: skip
        widgets = {
            "review_date": DATE,
            "cause": forms.Textarea(attrs={"rows": 2}),
            "event": forms.Textarea(attrs={"rows": 2}),
            "effect": forms.Textarea(attrs={"rows": 2}),
            "existing_controls": forms.Textarea(attrs={"rows": 3}),
            "further_action": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "inherent_likelihood": "1 (rare) to 5 (almost certain).",
            "inherent_impact": "1 (minimal) to 5 (severe).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Likelihood and impact are chosen on the 5×5 scale, not typed.
        for name in SCORED_FIELDS:
            field = self.fields[name]
            self.fields[name] = forms.TypedChoiceField(
                label=field.label, help_text=field.help_text, required=field.required,
                coerce=int,
                error_messages={
                    "invalid_choice": f"{field.label.capitalize()} must be from 1 to 5 "
                    "(more than 0 and less than or equal to 5)"
                },
                choices=[("", "Choose 1 to 5"),
                         *[(n, f"{n} – {word}") for n, word in
                           enumerate(SCALES[name.rsplit("_", 1)[1]], start=1)]],
            )  # fmt: skip


class AssumptionForm(PeopleByName, OwnerPickerMixin, forms.ModelForm):
    class Meta:
        model = Assumption
        fields = ["title", "description", "owner", "validation_date", "status"]
        widgets = {"validation_date": DATE, "description": forms.Textarea(attrs={"rows": 2})}


class IssueForm(PeopleByName, OwnerPickerMixin, forms.ModelForm):
    class Meta:
        model = Issue
        fields = ["title", "description", "priority", "owner", "resolution", "status"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "resolution": forms.Textarea(attrs={"rows": 2}),
        }


class DependencyForm(PeopleByName, OwnerPickerMixin, forms.ModelForm):
    class Meta:
        model = Dependency
        fields = ["title", "description", "depends_on", "outside_body", "owner", "needed_by",
                  "status"]  # fmt: skip
        widgets = {"needed_by": DATE, "description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        self.programme = kwargs.pop("programme", None)
        super().__init__(*args, **kwargs)
        if self.programme is not None:
            self.instance.programme = self.programme


class ActionForm(PeopleByName, OwnerPickerMixin, forms.ModelForm):
    class Meta:
        model = Action
        fields = ["title", "description", "owner", "due_date", "status", "completed_on"]
        widgets = {
            "due_date": DATE,
            "completed_on": DATE,
            "description": forms.Textarea(attrs={"rows": 2}),
        }


class DecisionForm(forms.Form):
    board = forms.ModelChoiceField(
        queryset=Board.objects.all(), required=False, label="Forum", empty_label="No board"
    )
    decided_on = forms.DateField(label="Date of the decision", widget=DATE)
    summary = forms.CharField(max_length=200)
    decision = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Decision")
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ChangeRequestForm(forms.ModelForm):
    financial_year = FinancialYearFormField(
        required=False,
        label="Baseline year it changes",
        help_text="For a budget or planned benefit: the financial year whose baseline changes, "
        "like 2024/25.",
    )

    class Meta:
        model = ChangeRequest
        fields = [
            "title", "kind", "description", "cost_impact", "time_impact_days",
            "benefits_impact", "baseline", "milestone", "new_due_date", "benefit",
            "financial_year", "new_amount",
        ]  # fmt: skip
        widgets = {"new_due_date": DATE, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.programme = programme
        self.fields["milestone"].queryset = programme.milestones.all()
        self.fields["benefit"].queryset = programme.benefits.all()


class ChangeDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[("approve", "Approve"), ("reject", "Reject")], widget=forms.RadioSelect
    )
    reasons = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))


class ThresholdsForm(forms.ModelForm):
    class Meta:
        model = ChangeThresholds
        fields = ["delivery_board_cost", "delivery_board_days", "stb_cost", "stb_days"]


class ReportingCalendarForm(forms.ModelForm):
    class Meta:
        model = ReportingCalendar
        fields = ["highlight_report_due_day"]
        widgets = {"highlight_report_due_day": forms.NumberInput(attrs={"inputmode": "numeric"})}
        error_messages = {
            "highlight_report_due_day": {
                "required": "Enter the day of the month highlight reports are due by",
                "invalid": "The day must be a whole number from 1 to 31",
                "min_value": "The day must be a whole number from 1 to 31",
                "max_value": "The day must be a whole number from 1 to 31",
            }
        }


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses ids no database column can hold as a bad choice, instead of letting the database
    driver overflow (a 500) while Django looks them up."""

    def _check_values(self, value):
        for pk in value or []:
            text = str(pk).strip()
            if whole_number(text) is None:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


class BoundedModelChoiceField(forms.ModelChoiceField):
    """The same guard for a single choice."""

    def to_python(self, value):
        text = str(value).strip() if value not in self.empty_values else ""
        if text and whole_number(text) is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return super().to_python(value)


class BoardForm(PeopleByName, forms.ModelForm):
    class Meta:
        model = Board
        fields = ["chair", "members", "purpose", "next_meeting"]
        field_classes = {
            "chair": BoundedModelChoiceField,
            "members": BoundedModelMultipleChoiceField,
        }
        widgets = {
            "members": forms.CheckboxSelectMultiple,
            "next_meeting": DATE,
            "purpose": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        sitting = (
            list(self.instance.members.values_list("pk", flat=True)) if self.instance.pk else []
        )
        self.fields["chair"].queryset = people_for("board_chair", keep=[self.instance.chair_id])
        self.fields["members"].queryset = people_for("board_member", keep=sitting)


class TermsOfReferenceForm(forms.Form):
    text = forms.CharField(
        label="Terms of reference",
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Saving keeps the previous version.",
    )


class RaciColumnsForm(forms.Form):
    """People added as columns of the RACI grid, by username: the "Add a column" select (GET)
    and the grid's hidden fields (POST). An unknown name drops the added columns."""

    person = forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(is_active=True), to_field_name="username", required=False
    )

    def usernames(self) -> list[str]:
        return [user.username for user in self.cleaned_data["person"]] if self.is_valid() else []


class RaciGridForm(forms.Form):
    """The RACI grid as one form: a letter (or nothing) per activity × person, named
    ``cell-<activity>-<person>``, and an activity to add.

    The whole grid is valid or nothing is saved: a letter other than R, A, C or I, a cell for an
    activity or person that is not in the grid, or an activity without exactly one A is an error.
    """

    new_activity = forms.CharField(
        label="Add an activity",
        required=False,
        max_length=RaciActivity._meta.get_field("name").max_length,
    )

    def __init__(
        self,
        *args,
        activities: list[RaciActivity],
        people: list[User],
        added: list[str] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.activities = activities
        self.people = people
        self.added = set(added or [])  # usernames of the columns added on this page
        for activity in activities:
            for person in people:
                self.fields[f"cell-{activity.pk}-{person.pk}"] = forms.ChoiceField(
                    label=f"{activity.name}: {person}",
                    choices=[("", "–"), *RaciRole.choices],
                    required=False,
                    error_messages={
                        "invalid_choice": f"{activity.name}: {person}: choose R, A, C, I or "
                        "nothing."
                    },
                )

    def clean(self) -> dict:
        data = super().clean()
        if any(key.startswith("cell-") and key not in self.fields for key in self.data):
            raise ValidationError(
                "The grid has cells for activities or people that are not in this matrix. "
                "Reload the page and make your changes again."
            )
        for activity in self.activities:
            accountable = [p for p in self.people if data.get(f"cell-{activity.pk}-{p.pk}") == "A"]
            if len(accountable) != 1:
                self.add_error(
                    None,
                    f"{activity.name}: choose exactly one person who is Accountable (A); "
                    f"{len(accountable)} chosen.",
                )
        for person in self.people:
            letters = [data.get(f"cell-{a.pk}-{person.pk}") for a in self.activities]
            if person.username in self.added and self.activities and not any(letters):
                self.add_error(
                    None,
                    f"{person}'s column is empty: give them R, A, C or I for at least one "
                    "activity, or leave them out.",
                )
        return data

    def cells(self) -> dict[int, dict[int, str]]:
        """``cells[activity_id][person_id]``: the letter, or "" for none."""
        return {
            activity.pk: {
                person.pk: self.cleaned_data[f"cell-{activity.pk}-{person.pk}"]
                for person in self.people
            }
            for activity in self.activities
        }

    def messages(self) -> list[str]:
        """Every error, in grid order, for the page's error summary."""
        return [message for errors in self.errors.values() for message in errors]


class RaidImportForm(forms.Form):
    file = forms.FileField(
        label="Upload a RAID spreadsheet (.xlsx)",
        help_text="Use the template: a sheet named Risks, headers in the first row; 5 MB at most.",
    )


# --- Filters (GET, shareable URLs) --------------------------------------------------------------
def owner_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        empty_label="Anyone",
        to_field_name="username",
    )


class RiskFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "Any status"), *RiskStatus.choices], required=False)
    response = forms.ChoiceField(
        choices=[("", "Any response"), *RiskResponse.choices], required=False
    )
    escalated = forms.ChoiceField(
        choices=[("", "Escalated or not"), ("yes", "Escalated"), ("no", "Not escalated")],
        required=False,
    )
    likelihood = forms.TypedChoiceField(
        choices=[("", "Any"), *SCORE], coerce=int, required=False, label="Residual likelihood"
    )
    impact = forms.TypedChoiceField(
        choices=[("", "Any"), *SCORE], coerce=int, required=False, label="Residual impact"
    )
    owner = owner_field()


class AssumptionFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "Any status"), *LogStatus.choices], required=False)
    owner = owner_field()


class IssueFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "Any status"), *LogStatus.choices], required=False)
    priority = forms.ChoiceField(
        choices=[("", "Any priority"), *IssuePriority.choices], required=False
    )
    owner = owner_field()


class DependencyFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "Any status"), *LogStatus.choices], required=False)


class ActionFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Any status"), ("outstanding", "Outstanding"), ("overdue", "Overdue"),
                 *ActionStatus.choices],
        required=False,
    )  # fmt: skip
    owner = owner_field()


class DecisionFilterForm(forms.Form):
    board = forms.ModelChoiceField(
        queryset=Board.objects.all(),
        required=False,
        empty_label="Any forum",
        to_field_name="slug",
        label="Forum",
    )


class ChangeRequestFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Any status"), *ChangeRequest._meta.get_field("status").choices],
        required=False,
    )


# --- Programme settings and boards ---------------------------------------------------------------
class ProgrammeSettingsForm(PeopleByName, forms.ModelForm):
    """The programme's settings: every field for the PMO; description and directorate for its
    SRO (``fields`` narrows the form)."""

    board = BoundedModelChoiceField(
        queryset=Board.objects.none(),
        required=False,
        label="Programme Board",
        empty_label="No Programme Board",
        help_text="The Programme Board that oversees this programme.",
    )
    hand_over = forms.BooleanField(
        required=False,
        initial=True,
        label="Hand over open items",
        help_text="If the manager or SRO changes, give the new person the open actions, risks, "
        "issues, assumptions, dependencies and benefits the previous one owns on this programme.",
    )

    class Meta:
        model = Programme
        fields = [
            "name", "description", "directorate", "portfolio", "category", "light_touch",
            "manager", "sro",
        ]  # fmt: skip
        labels = {"name": "Programme name", "directorate": "Lead directorate"}
        field_classes = {
            "directorate": BoundedModelChoiceField,
            "portfolio": BoundedModelChoiceField,
            "manager": BoundedModelChoiceField,
            "sro": BoundedModelChoiceField,
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, administer: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.administer = administer
        self.fields["description"].required = True
        # Validating the form writes to the instance: keep what it was, to know what changed.
        self.before = {name: getattr(self.instance, name) for name in self._meta.fields}
        if not administer:
            for name in list(self.fields):
                if name not in ("description", "directorate"):
                    del self.fields[name]
            return
        self.fields["manager"].queryset = people_for(
            "programme_manager", keep=[self.instance.manager_id]
        )
        self.fields["sro"].queryset = people_for("sro", keep=[self.instance.sro_id])
        self.fields["board"].queryset = Board.objects.active().filter(
            models.Q(programme=None) | models.Q(programme=self.instance), kind=BoardKind.PROGRAMME
        )
        self.fields["board"].initial = Board.objects.filter(programme=self.instance).first()
        self.people_by_name()

    def changes(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in self._meta.fields
            if name in self.fields and self.cleaned_data[name] != self.before[name]
        }


class BoardCreateForm(BoardForm):
    """A new board: the edit form's fields (and people pickers), with its name, kind and what it
    oversees."""

    class Meta(BoardForm.Meta):
        fields = [
            "name", "kind", "programme", "portfolio", "chair", "members", "purpose",
            "next_meeting",
        ]  # fmt: skip
        labels = {
            "programme": "Programme it oversees",
            "portfolio": "Portfolio it oversees",
        }
        help_texts = {
            "programme": "For a Programme Board only.",
            "portfolio": "For a Portfolio Board only.",
            "chair": "The chair is also a member.",
        }
        field_classes = {
            **BoardForm.Meta.field_classes,
            "programme": BoundedModelChoiceField,
            "portfolio": BoundedModelChoiceField,
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.filter(board=None)
        self.fields["portfolio"].queryset = Portfolio.objects.filter(board=None)
        self.fields["kind"].choices = [("", "Choose the kind of board"), *BoardKind.choices]
        self.people_by_name()

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("kind")
        if kind == BoardKind.PROGRAMME and not data.get("programme"):
            self.add_error("programme", "Choose the programme this Programme Board oversees")
        if kind == BoardKind.PORTFOLIO and not data.get("portfolio"):
            self.add_error("portfolio", "Choose the portfolio this Portfolio Board oversees")
        return data

    def _post_clean(self) -> None:
        # The service builds the board (and its slug); only the form's own checks run here.
        pass


class ClosureChecklistForm(PeopleByName, forms.Form):
    """One row per open item: what happens to it, and (to transfer it or carry a benefit into
    tracking) its named owner and, optionally, the board that takes it on."""

    def __init__(self, *args, programme: Programme, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.items = closure.closure_open_items(programme)
        people = User.objects.filter(is_active=True)
        boards = Board.objects.active()
        for item in self.items:
            self.fields[f"{item.key}-outcome"] = forms.ChoiceField(
                # The card's heading names the item; the question does not repeat it.
                label=f"What happens to this {item.kind_label.lower()}?",
                choices=[(o, HandoverOutcome(o).label) for o in item.outcomes],
                widget=forms.RadioSelect,
                error_messages={"required": f"Choose what happens to “{item.title}”"},
            )
            self.fields[f"{item.key}-owner"] = BoundedModelChoiceField(
                label="Named owner", queryset=people, required=False,
                initial=getattr(item.row, "owner_id", None),
            )  # fmt: skip
            self.fields[f"{item.key}-board"] = BoundedModelChoiceField(
                label="Board that takes it on (optional)",
                queryset=boards,
                required=False,
                empty_label="No board",
            )
        self.people_by_name()

    def rows(self) -> list[dict]:
        return [
            {
                "item": item,
                "outcome": self[f"{item.key}-outcome"],
                "owner": self[f"{item.key}-owner"],
                "board": self[f"{item.key}-board"],
            }
            for item in self.items
        ]

    def clean(self) -> dict:
        data = super().clean()
        for item in self.items:
            outcome = data.get(f"{item.key}-outcome")
            needs_owner = outcome in (HandoverOutcome.TRANSFER, HandoverOutcome.TRACK)
            if needs_owner and not data.get(f"{item.key}-owner"):
                self.add_error(f"{item.key}-owner", f"Name who takes over “{item.title}”")
        return data

    def resolutions(self) -> list[closure.Resolution]:
        return [
            closure.Resolution(
                key=item.key,
                outcome=self.cleaned_data[f"{item.key}-outcome"],
                owner=self.cleaned_data.get(f"{item.key}-owner"),
                board=self.cleaned_data.get(f"{item.key}-board"),
            )
            for item in self.items
        ]


class EscalationForm(forms.Form):
    """Escalate a highlight report, action, issue or a decision request to a named board."""

    board = BoundedModelChoiceField(
        queryset=Board.objects.none(), empty_label="Choose the board", label="Escalate to"
    )
    title = forms.CharField(
        max_length=200, required=False, label="Decision request",
        help_text="For a decision request: what the board is asked to decide, in a line.",
    )  # fmt: skip
    ask = forms.CharField(
        label="What is asked of the board", widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what is asked of the board"},
    )  # fmt: skip

    def __init__(self, *args, decision_request: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["board"].queryset = Board.objects.active()
        if decision_request:
            self.fields["title"].required = True
            self.fields["title"].error_messages["required"] = (
                "Say what the board is asked to decide"
            )
        else:
            del self.fields["title"]


class EscalationResponseForm(forms.Form):
    response = forms.CharField(
        label="The board's response", widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Recorded in the decision log.",
        error_messages={"required": "Write the board's response"},
    )  # fmt: skip


# --- the lessons-learned library ----------------------------------------------------------------


class LessonForm(forms.ModelForm):
    """Record (or correct) a lesson: what happened, why, what to do next time."""

    class Meta:
        model = Lesson
        fields = ["title", "polarity", "what_happened", "why", "next_time", "stage", "themes"]
        field_classes = {"themes": BoundedModelMultipleChoiceField}
        widgets = {
            "polarity": forms.RadioSelect,
            "themes": forms.CheckboxSelectMultiple,
            "what_happened": forms.Textarea(attrs={"rows": 4}),
            "why": forms.Textarea(attrs={"rows": 3}),
            "next_time": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "title": "The lesson in a sentence, as another programme would search for it.",
            "why": "The cause, as far as you know it.",
            "next_time": "What another programme should do (or keep doing).",
        }
        error_messages = {
            "title": {"required": "Enter the lesson in a sentence"},
            "what_happened": {"required": "Say what happened"},
            "next_time": {"required": "Say what to do next time"},
            "polarity": {"required": "Say whether the lesson is positive or negative"},
            "stage": {"required": "Choose the stage the lesson is about"},
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["next_time"].required = True
        self.fields["polarity"].choices = LessonPolarity.choices
        self.fields["stage"].choices = [(s.value, s.label) for s in Stage.pipeline()]
        self.fields["themes"].required = False
        self.fields["themes"].queryset = LessonTheme.objects.all()


class LessonFilterForm(forms.Form):
    """The filters of /lessons/ (a GET form)."""

    q = forms.CharField(label="Search the lessons", required=False, max_length=200)
    directorate = forms.ModelChoiceField(
        queryset=Directorate.objects.all(), required=False, empty_label="All directorates",
        to_field_name="slug",
    )  # fmt: skip
    theme = forms.ModelChoiceField(
        queryset=LessonTheme.objects.all(), required=False, empty_label="All themes",
        to_field_name="slug",
    )  # fmt: skip
    category = forms.ChoiceField(
        choices=[("", "All categories"), *[(c.value, f"Category {c.value}") for c in Category]],
        required=False,
    )
    stage = forms.ChoiceField(
        choices=[("", "All stages"), *[(s.value, s.label) for s in Stage.pipeline()]],
        required=False,
    )
    polarity = forms.ChoiceField(
        label="Positive or negative",
        choices=[("", "Both"), *[(p.value, p.short) for p in LessonPolarity]],
        required=False,
    )
    status = forms.ChoiceField(
        choices=[("", "Recorded or adopted"), *LessonStatus.choices], required=False
    )
    programme = forms.ModelChoiceField(
        queryset=Programme.objects.all(), required=False, to_field_name="slug",
        widget=forms.HiddenInput,
    )  # fmt: skip
    similar = forms.ModelChoiceField(
        queryset=Programme.objects.all(), required=False, to_field_name="slug",
        widget=forms.HiddenInput,
    )  # fmt: skip


class LessonAdoptForm(forms.Form):
    what_changed = forms.CharField(
        label="What changed in practice", widget=forms.Textarea(attrs={"rows": 3}),
        max_length=SHORT_TEXT,
        help_text="The template, guidance, check or habit that now carries the lesson.",
        error_messages={"required": "Say what changed in practice"},
    )  # fmt: skip


class LessonMergeForm(forms.Form):
    into = BoundedModelChoiceField(
        queryset=Lesson.objects.none(), empty_label="Choose the lesson it repeats",
        label="Merge this lesson into",
        help_text="Lessons of the same programme or directorate. The duplicate is kept, links to "
        "the lesson it repeats and drops out of searches.",
        error_messages={"required": "Choose the lesson this one repeats"},
    )  # fmt: skip

    def __init__(self, *args, candidates: list[Lesson] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        pks = [c.pk for c in candidates or []]
        self.fields["into"].queryset = Lesson.objects.filter(pk__in=pks).select_related("programme")
        self.fields["into"].label_from_instance = lambda c: (
            f"{c.reference}: {c.title} ({c.programme})"
        )
