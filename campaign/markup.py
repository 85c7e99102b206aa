"""HTML built in Python on the hot paths: the long ask lists' rows, the quick
selects and the admin's select filters. Every value goes through
``escape_text``; the callers mark the joined result safe."""

from html import escape

from django.utils.safestring import SafeString, mark_safe


def escape_text(value) -> str:
    """What Django's ``escape`` returns (``html.escape`` of ``str(value)``,
    quotes included) without building a SafeString for each value."""
    return escape(str(value))


def options_html(options) -> SafeString:
    """The <option>s of a select from (value, label, selected) triples."""
    return mark_safe(  # noqa: S308 - every value and label escaped here
        "".join(
            f'<option value="{escape_text(value)}"{" selected" if chosen else ""}>{escape_text(label)}</option>'
            for value, label, chosen in options
        )
    )
