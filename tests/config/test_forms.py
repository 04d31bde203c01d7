from django import forms


class ExampleForm(forms.Form):
    title = forms.CharField(help_text="A short name.")
    notes = forms.CharField(widget=forms.Textarea, required=False)
    stage = forms.ChoiceField(choices=[("a", "A"), ("b", "B")])
    escalated = forms.BooleanField(required=False)


def test_fields_render_as_gov_uk_markup():
    html = str(ExampleForm())
    assert 'class="govuk-form-group"' in html
    assert 'class="govuk-input"' in html
    assert 'class="govuk-textarea"' in html
    assert 'class="govuk-select"' in html
    assert "govuk-checkboxes__input" in html
    assert 'id="id_title_helptext" class="govuk-hint"' in html
    assert 'aria-describedby="id_title_helptext"' in html


def test_errors_render_with_the_error_modifier_and_message():
    form = ExampleForm(data={"title": "", "stage": "z"})
    html = str(form)
    assert "govuk-form-group--error" in html
    assert "govuk-input--error" in html
    assert '<p id="id_title_error" class="govuk-error-message">' in html
    assert 'aria-describedby="id_title_helptext id_title_error"' in html
    assert "Select a valid choice" in html
