from __future__ import annotations

from django import forms

from accounts.models import User
from portfolio.models import Category, Portfolio

from .models import Board, BoardKind, GatePolicy, Outcome, SignOff
from .services import ProgrammeMove

CONDITION_SLOTS = 3


class DecideForm(forms.Form):
    """A board member's (or the SRO's) decision on the current step of a gate review."""

    step = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    outcome = forms.ChoiceField(choices=Outcome.choices, widget=forms.RadioSelect, label="Decision")
    reasons = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Recorded in the decision log. For a deferral, the programme team sees them on "
        "the document.",
    )

    def __init__(self, *args, sets_terms: bool = False, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.sets_terms = sets_terms
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
        people = User.objects.filter(is_active=True)
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

    def clean(self) -> dict:  # type: ignore[type-arg]
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
        if self.sets_terms and outcome and Outcome(outcome).approves:
            if not data.get("portfolio"):
                self.add_error("portfolio", "Choose the portfolio STB assigns")
            if not data.get("category"):
                self.add_error("category", "Choose the category STB assigns")
        data["conditions"] = conditions
        return data


class GatePolicyForm(forms.Form):
    def __init__(self, *args, policy: GatePolicy, **kwargs) -> None:  # type: ignore[no-untyped-def]
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
