"""One form renderer for the project: every Django form renders as GOV.UK Design System markup.

The renderer picks the GOV.UK form and field templates and a bound field that adds the GOV.UK
classes and the error modifier to every widget. Hint and error ids are Django's own
(``<id>_helptext``, ``<id>_error``), which Django already names in aria-describedby.
"""

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.forms.widgets import Input

WIDGET_CLASSES: list[tuple[type[forms.Widget], str]] = [
    (forms.CheckboxSelectMultiple, "govuk-checkboxes__input"),
    (forms.RadioSelect, "govuk-radios__input"),
    (forms.CheckboxInput, "govuk-checkboxes__input"),
    (forms.Textarea, "govuk-textarea"),
    (forms.Select, "govuk-select"),
    (forms.ClearableFileInput, "govuk-file-upload"),
    (forms.FileInput, "govuk-file-upload"),
    (Input, "govuk-input"),
]


def widget_kind(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.FileInput):
        return "file"
    return "input"


class GovUKBoundField(BoundField):
    @property
    def kind(self) -> str:
        return widget_kind(self.field.widget)

    @property
    def max_length(self) -> int | None:
        """A text area's limit, shown as GOV.UK's character count hint."""
        if self.kind != "textarea":
            return None
        return getattr(self.field, "max_length", None)

    @property
    def hint_id(self) -> str:
        return f"{self.auto_id}_helptext"

    @property
    def error_id(self) -> str:
        return f"{self.auto_id}_error"

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        base = next((css for cls, css in WIDGET_CLASSES if isinstance(widget, cls)), "")
        classes = [base, attrs.get("class", "")]
        if self.errors and base in {"govuk-input", "govuk-textarea", "govuk-select"}:
            classes.append(f"{base}--error")
        attrs["class"] = " ".join(c for c in classes if c)
        return attrs


class GovUKFormRenderer(TemplatesSetting):
    form_template_name = "forms/govuk_form.html"
    field_template_name = "forms/govuk_field.html"
    bound_field_class = GovUKBoundField
