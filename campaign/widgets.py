"""Form widgets shared by the pages' forms."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html

from campaign.markup import options_html


class DateInput(forms.DateInput):
    """The browser's date picker; the value in the ISO form it expects."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class QuickSelect(forms.Select):
    """A select whose options are joined in Python: Django renders each option
    through two templates (and, for a model choice, builds a model instance per
    choice), which cost ~15 ms for the 200 targets of a busy organisation on
    every ask list request. The markup is the same as Django's. Give the field
    plain (value, label) choices, from one ``values_list`` query for a long list."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = "" if value is None else str(value)
        options = options_html((option, label, str(option) == selected) for option, label in self.choices)
        attrs = self.build_attrs(self.attrs, attrs)
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(attrs), options)
