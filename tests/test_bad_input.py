"""Any text a person can type or paste, control characters, very long strings
and HTML included, is either stored exactly (less the surrounding whitespace
forms trim) and shown back as text, or refused with a message: never a 500, never
markup. The CSV export never hands a spreadsheet a formula."""

import csv
import io

from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from markupsafe import escape as markup_escape

from campaign.models import Ask, Update
from tests.factories import AskFactory

# Surrogates cannot travel in UTF-8 at all; everything else can.
any_char = st.characters(blacklist_categories=["Cs"])
nasty = st.sampled_from(
    [
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "{{ 7|add:7 }} {% now 'Y' %}",
        '=HYPERLINK("http://evil.example")',
        "\x00",
        "\x1b[31m red",
        "\u202e reversed",
        "line\r\nbreak\ttab",
        "a" * 5000,
    ]
)
typed_text = st.one_of(
    st.text(any_char, max_size=300),
    st.builds(lambda a, b, c: a + b + c, st.text(any_char, max_size=20), nasty, st.text(any_char, max_size=20)),
)
examples = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def acceptable(text: str, max_length: int | None = None) -> bool:
    """What Django's form fields accept: not blank once trimmed, no NUL, not too long."""
    value = text.strip()
    return bool(value) and "\x00" not in value and (max_length is None or len(value) <= max_length)


def ask_data(ask, title, wording):
    return {
        "campaign": ask.campaign_id,
        "target": ask.target_id,
        "title": title,
        "wording": wording,
        "priority": "medium",
        "owner": "",
        "deadline": "",
        "deadline_reason": "",
        "source_title": "",
        "source_url": "",
        "source_date": "",
    }


@examples
@given(title=typed_text, wording=typed_text)
def test_ask_form_stores_any_text_exactly_and_shows_it_escaped(client, editor, ask, title, wording):
    client.force_login(editor)
    before = Ask.objects.count()
    response = client.post(reverse("ask_create"), ask_data(ask, title, wording))
    event(f"accepted={acceptable(title, max_length=200) and acceptable(wording)}")
    if acceptable(title, max_length=200) and acceptable(wording):
        assert response.status_code == 302
        created = Ask.objects.latest("id")
        assert (created.title, created.wording) == (title.strip(), wording.strip())
        page = client.get(created.get_absolute_url()).content.decode()
        # The ask page is a Jinja2 page: markupsafe's escapes (&#34;, &#39;), not Django's.
        assert str(markup_escape(created.title)) in page
        assert str(markup_escape(created.wording)) in page
        assert "<script>alert(1)" not in page and "<img src=x" not in page
    else:
        assert response.status_code == 200
        assert response.context["form"].errors
        assert Ask.objects.count() == before
        # What was typed comes back in the form (escaped), so nothing is lost.
        if title.strip() and "\x00" not in title:
            assert escape(title.strip()[:50]) in response.content.decode()


@examples
@given(note=typed_text)
def test_timeline_notes_are_stored_exactly_and_shown_as_text(client, editor, ask, note):
    client.force_login(editor)
    response = client.post(reverse("ask_note", args=[ask.pk]), {"note": note})
    event(f"accepted={acceptable(note)}")
    if acceptable(note):
        assert response.status_code == 302
        update = Update.objects.filter(ask=ask).latest("id")
        assert update.note == note.strip()
        page = client.get(ask.get_absolute_url()).content.decode()
        assert str(markup_escape(update.note)) in page
        assert "<script>alert(1)" not in page
    else:
        assert response.status_code == 400
        assert response.context["note_form"].errors


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
cell_text = st.one_of(
    st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=200),
    st.builds(
        lambda p, t: p + t, st.sampled_from(FORMULA_STARTS), st.text(max_size=40).filter(lambda t: "\x00" not in t)
    ),
)


def export_rows(client) -> dict[str, dict]:
    response = client.get(reverse("asks_export"))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    reader = csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline=""))
    return {row["id"]: row for row in reader}


@examples
@given(title=cell_text, reason=cell_text)
def test_csv_export_neutralises_formulas_and_keeps_the_text(client, viewer, campaign, target, title, reason):
    ask = AskFactory(campaign=campaign, target=target, title=title, deadline_reason=reason)
    client.force_login(viewer)
    row = export_rows(client)[str(ask.pk)]
    for typed, cell in ((title, row["title"]), (reason, row["deadline_reason"])):
        if typed.startswith(FORMULA_STARTS):
            assert cell == "'" + typed
        else:
            assert cell == typed
        assert not cell.startswith(("=", "+", "-", "@"))
