"""People at risk: who reads which name, the name guard on every path, and
the lead's logged override."""

import pytest
from django.urls import reverse

from campaign import services
from campaign.models import NameGuardOverride, Person
from campaign.people import Surface, people_named_in, person_display_name
from tests.two_factor import force_login_verified


@pytest.fixture
def defender(campaign, lead, ask):
    return services.person_create(
        actor=lead,
        campaign=campaign,
        asks=[ask],
        name="Ilham Tohti",
        other_names="伊力哈木·土赫提\nئىلھام تۇختى",
        risk=Person.Risk.HIGH,
        consent=Person.Consent.INTERNAL,
    )


@pytest.fixture
def public_figure(campaign, lead, ask):
    return services.person_create(
        actor=lead, campaign=campaign, asks=[ask], name="Cao Shunli", risk="none", consent="public"
    )


def test_pseudonym_looks_like_hrd_and_four_unambiguous_characters(defender):
    assert defender.pseudonym.startswith("HRD-") and len(defender.pseudonym) == 8
    assert not set(defender.pseudonym[4:]) & set("01OIL")
    assert str(defender) == defender.pseudonym
    assert defender.pseudonym in defender.get_absolute_url() and "Ilham" not in defender.get_absolute_url()


@pytest.mark.parametrize(
    "text",
    [
        "We met ilham tohti's family",  # case
        "ＩＬＨＡＭ　ＴＯＨＴＩ",  # full width
        "Ilham-Tohti",  # punctuation
        "关于伊力哈木·土赫提的案件",  # Chinese, inside a sentence without spaces
        "ئىلھام تۇختى",  # Uyghur
    ],
)
def test_the_guard_finds_a_name_however_it_is_written(defender, text):
    assert people_named_in(text, [defender]) == [defender]


@pytest.mark.parametrize("text", ["Ilham only", "the Tohtiya report", "Ilhamtohti"])
def test_the_guard_leaves_other_words_alone(defender, text):
    assert people_named_in(text, [defender]) == []


def test_note_naming_a_person_at_risk_is_refused_with_the_pseudonym(defender, ask, editor):
    with pytest.raises(services.NameGuardError) as refused:
        services.ask_add_note(ask=ask, author=editor, note="Called Ilham Tohti's lawyer.")
    assert defender.pseudonym in str(refused.value) and "Ilham" not in str(refused.value)
    assert not ask.updates.exists()


def test_a_person_at_no_known_risk_is_not_guarded(public_figure, ask, editor):
    services.ask_add_note(ask=ask, author=editor, note="Cao Shunli memorial discussed.")


def test_the_guard_covers_asks_evidence_and_status_notes(defender, ask, editor, campaign, target):
    with pytest.raises(services.NameGuardError):
        services.ask_update(ask=ask, author=editor, expected_version=ask.version, title="Free Ilham Tohti")
    with pytest.raises(services.NameGuardError):
        services.ask_create(author=editor, campaign=campaign, target=target, title="t", wording="Free ILHAM TOHTI")
    with pytest.raises(services.NameGuardError):
        services.ask_change_status(ask=ask, new_status="in_progress", author=editor, note="Ilham Tohti moved")
    with pytest.raises(services.NameGuardError):
        services.evidence_add(campaign=campaign, added_by=editor, title="x", reference="r", summary="伊力哈木·土赫提")


def test_only_a_lead_can_override_and_the_override_is_logged(defender, ask, editor, lead):
    with pytest.raises(services.NameGuardError):
        services.ask_add_note(ask=ask, author=editor, note="Ilham Tohti", name_override=True)
    services.ask_add_note(ask=ask, author=lead, note="Ilham Tohti", name_override=True)
    [logged] = NameGuardOverride.objects.all()
    assert (logged.user, logged.person, logged.field) == (lead, defender, "note")


def test_the_web_form_shows_the_refusal_and_offers_a_lead_the_override(defender, ask, client, editor, lead):
    client.force_login(editor)
    response = client.post(reverse("ask_note", args=[ask.pk]), {"note": "Ilham Tohti"})
    assert response.status_code == 400
    assert defender.pseudonym in response.content.decode() and "name_override" not in response.content.decode()
    client.force_login(lead)
    response = client.post(reverse("ask_note", args=[ask.pk]), {"note": "Ilham Tohti"})
    assert "name_override" in response.content.decode()
    response = client.post(reverse("ask_note", args=[ask.pk]), {"note": "Ilham Tohti", "name_override": "on"})
    assert response.status_code == 302 and NameGuardOverride.objects.count() == 1


def test_the_admin_refuses_a_name_on_its_field(defender, ask, client, superuser):
    force_login_verified(client, superuser)
    url = reverse("admin:campaign_ask_change", args=[ask.pk])
    page = client.get(url)
    data = {
        key: value
        for key, value in page.context["adminform"].form.initial.items()
        if value is not None and not isinstance(value, list)
    }
    data.update(
        campaign=ask.campaign_id,
        target=ask.target_id,
        title="Free Ilham Tohti",
        status=ask.status,
        priority=ask.priority,
        loaded_version=ask.version,
        **{
            f"{prefix}-{name}": value
            for prefix in ("updates", "Evidence_asks")
            for name, value in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0))
        },
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert defender.pseudonym in response.content.decode()
    ask.refresh_from_db()
    assert ask.title != "Free Ilham Tohti"


@pytest.mark.parametrize(
    ("role", "surface", "shown"),
    [
        ("lead", Surface.ASK_PAGE, "name"),
        ("editor", Surface.PERSON_PAGE, "name"),
        ("viewer", Surface.ASK_PAGE, "pseudonym"),
        (None, Surface.ASK_PAGE, "pseudonym"),
        ("lead", Surface.EMAIL, "pseudonym"),
        ("lead", Surface.EXPORT, "pseudonym"),
        ("lead", Surface.CALENDAR, "pseudonym"),
    ],
)
def test_display_name_by_role_and_surface(defender, role, surface, shown):
    expected = defender.name if shown == "name" else defender.pseudonym
    assert person_display_name(defender, role=role, surface=surface) == expected


def test_a_viewer_reads_the_name_of_someone_at_no_risk_who_agreed(public_figure, defender, ask, client, viewer):
    client.force_login(viewer)
    page = client.get(ask.get_absolute_url()).content.decode()
    assert "Cao Shunli" in page and "Ilham" not in page and defender.pseudonym in page


def test_people_pages_are_404_to_outsiders_and_editing_needs_an_editor(defender, client, outsider, viewer, campaign):
    client.force_login(outsider)
    assert client.get(defender.get_absolute_url()).status_code == 404
    assert client.get(reverse("campaign_people", args=[campaign.slug])).status_code == 404
    client.force_login(viewer)
    assert client.get(reverse("person_edit", args=[defender.pseudonym])).status_code == 403
    assert client.get(reverse("person_create", args=[campaign.slug])).status_code == 403


def test_an_editor_records_a_person_and_lands_on_their_page(client, editor, campaign, ask):
    client.force_login(editor)
    response = client.post(
        reverse("person_create", args=[campaign.slug]),
        {"name": "Rahile Dawut", "other_names": "", "risk": "high", "consent": "none", "asks": [ask.pk]},
    )
    person = Person.objects.get()
    assert response.status_code == 302 and response["Location"] == person.get_absolute_url()
    assert list(person.asks.all()) == [ask]
