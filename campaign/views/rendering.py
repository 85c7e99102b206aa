"""How a staff page's content meets the layout."""

from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

# What a viewer reads where an editor would find a button.
VIEWER_NOTE = "You are a viewer in this campaign; a lead can change your role."
VIEWER_EVERYWHERE_NOTE = "You are a viewer in your campaigns; a lead can change your role."


def render_page(request, template_name: str, context: dict, *, title: str, status: int = 200):
    """Render ``template_name`` from templates/jinja2/ (the long lists' loops run
    there at a fraction of a Django template's cost) inside the Django layout."""
    content = render_to_string(template_name, context, request=request, using="jinja2")
    # The Jinja2 engine escaped every value as it rendered (autoescape is on for the
    # whole environment); what it returns is finished markup to place as it is.
    content = mark_safe(content)  # noqa: S308
    # The layout gets the content's context too, for tests that read a response's context.
    return render(request, "page.html", {**context, "title": title, "content": content}, status=status)
