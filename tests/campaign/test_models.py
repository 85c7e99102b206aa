import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from campaign.models import (
    CLOSED_STATUSES,
    EVIDENCE_NEEDS_SOURCE,
    OPEN_STATUSES,
    Ask,
    AskStatus,
    Campaign,
    Evidence,
    Update,
)
from campaign.services import ask_change_status
from tests.factories import AskFactory, EvidenceFactory, UserFactory, outcome_for


def test_ask_shows_the_label_of_its_status_and_priority():
    for status, label in AskStatus.choices:
        assert Ask(status=status).get_status_display() == label
    for priority, label in Ask.Priority.choices:
        assert Ask(priority=priority).get_priority_display() == label
    assert Ask(status=AskStatus.IN_PROGRESS, priority=Ask.Priority.HIGH).get_status_display() == "In progress"
    assert Ask(status="retired").get_status_display() == "retired"  # a value no longer offered shows as stored


# --- Status changes -------------------------------------------------------------


def test_status_change_writes_exactly_one_update_with_note_and_author(ask, editor):
    before = ask.last_activity_at

    update = ask_change_status(
        ask=ask, new_status=AskStatus.IN_PROGRESS, author=editor, note="Meeting held with OHCHR."
    )

    ask.refresh_from_db()
    assert ask.status == AskStatus.IN_PROGRESS
    assert list(Update.objects.filter(ask=ask)) == [update]
    assert (update.old_status, update.new_status, update.note, update.author) == (
        AskStatus.OPEN,
        AskStatus.IN_PROGRESS,
        "Meeting held with OHCHR.",
        editor,
    )
    assert ask.last_activity_at > before
    assert ask.last_activity_at == update.created_at


def test_status_change_without_a_note_is_refused_and_leaves_no_trace(ask, editor):
    with pytest.raises(ValidationError) as error:
        ask_change_status(ask=ask, new_status=AskStatus.MET, author=editor, note="   ")

    assert "note is required" in str(error.value)
    ask.refresh_from_db()
    assert ask.status == AskStatus.OPEN
    assert not Update.objects.filter(ask=ask).exists()


def test_changing_to_the_same_status_is_refused(ask, editor):
    with pytest.raises(ValidationError) as error:
        ask_change_status(ask=ask, new_status=AskStatus.OPEN, author=editor, note="Still open.")

    assert "already" in str(error.value)
    assert not Update.objects.filter(ask=ask).exists()


def test_unknown_status_is_refused(ask, editor):
    with pytest.raises(ValidationError):
        ask_change_status(ask=ask, new_status="done", author=editor, note="Done.")
    assert not Update.objects.filter(ask=ask).exists()


def test_open_and_closed_status_sets_split_every_status():
    assert {AskStatus.MET, AskStatus.NOT_MET, AskStatus.WITHDRAWN} == CLOSED_STATUSES
    assert {
        AskStatus.DRAFT,
        AskStatus.OPEN,
        AskStatus.IN_PROGRESS,
        AskStatus.PARTIALLY_MET,
    } == OPEN_STATUSES
    assert set(AskStatus) == OPEN_STATUSES | CLOSED_STATUSES
    assert not OPEN_STATUSES & CLOSED_STATUSES


@pytest.mark.parametrize("status", list(AskStatus))
def test_is_closed_and_is_open_follow_the_status(status):
    ask = Ask(status=status)
    assert ask.is_closed == (status in CLOSED_STATUSES)
    assert ask.is_open == (not ask.is_closed)


def test_open_and_closed_querysets(campaign, target):
    open_ask = AskFactory(campaign=campaign, target=target, status=AskStatus.PARTIALLY_MET)
    closed_ask = AskFactory(campaign=campaign, target=target, status=AskStatus.WITHDRAWN)

    assert list(Ask.objects.open()) == [open_ask]
    assert list(Ask.objects.closed()) == [closed_ask]


def test_overdue_and_days_left(campaign, target):
    today = timezone.localdate()
    late = AskFactory(campaign=campaign, target=target, deadline=today - datetime.timedelta(days=3))
    AskFactory(campaign=campaign, target=target, deadline=today - datetime.timedelta(days=3), status=AskStatus.MET)
    soon = AskFactory(campaign=campaign, target=target, deadline=today + datetime.timedelta(days=5))

    assert late.days_left() == -3
    assert late.is_overdue()
    assert list(Ask.objects.overdue()) == [late]
    assert list(Ask.objects.due_within(7)) == [soon]


def test_choices_are_stored_as_snake_case(ask, editor):
    ask_change_status(
        ask=ask, new_status=AskStatus.PARTIALLY_MET, author=editor, note="Half of it.", **outcome_for(ask)
    )
    stored = Ask.objects.filter(pk=ask.pk).values_list("status", flat=True).get()
    assert stored == "partially_met"


# --- Evidence needs a source ------------------------------------------------------


def test_evidence_without_url_file_or_reference_is_refused_by_full_clean(campaign):
    evidence = Evidence(campaign=campaign, title="A rumour", kind=Evidence.Kind.OTHER)

    with pytest.raises(ValidationError) as error:
        evidence.full_clean()

    assert EVIDENCE_NEEDS_SOURCE in str(error.value)
    assert EVIDENCE_NEEDS_SOURCE == "Give at least one of a URL, a file or a document reference."


def test_evidence_without_url_file_or_reference_is_refused_by_the_database(campaign):
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.create(campaign=campaign, title="A rumour")
    assert not Evidence.all_objects.exists()


@pytest.mark.parametrize(
    "source",
    [{"url": "https://www.ohchr.org/"}, {"reference": "CHN 13/2018"}, {"file": "evidence/2022/05/note.pdf"}],
)
def test_evidence_with_any_one_source_is_accepted(campaign, source):
    evidence = Evidence(campaign=campaign, title="Communication", **source)
    evidence.full_clean()
    evidence.save()
    assert Evidence.objects.filter(pk=evidence.pk).exists()


# --- Soft delete -------------------------------------------------------------------


def test_soft_deleted_asks_are_hidden_from_ask_objects_but_kept(ask, superuser):
    Ask.all_objects.filter(pk=ask.pk).update(deleted_at=timezone.now())

    assert not Ask.objects.filter(pk=ask.pk).exists()
    assert not Ask.objects.visible_to(superuser).filter(pk=ask.pk).exists()
    assert Ask.all_objects.filter(pk=ask.pk).exists()


def test_soft_deleted_evidence_is_hidden_from_evidence_objects(campaign, ask):
    evidence = EvidenceFactory(campaign=campaign, asks=[ask])
    Evidence.all_objects.filter(pk=evidence.pk).update(deleted_at=timezone.now())

    assert not Evidence.objects.filter(pk=evidence.pk).exists()
    assert Evidence.all_objects.filter(pk=evidence.pk).exists()


# --- Who sees what -----------------------------------------------------------------


@pytest.fixture
def other_ask(other_campaign, target):
    return AskFactory(campaign=other_campaign, target=target, title="Someone else's ask")


@pytest.mark.parametrize(
    ("persona", "sees_ask", "edits_ask"),
    [
        ("viewer", True, False),
        ("editor", True, True),
        ("lead", True, True),
        ("outsider", False, False),
        ("superuser", True, True),
    ],
)
def test_ask_and_campaign_visibility_by_role(request, ask, other_ask, persona, sees_ask, edits_ask):
    user = request.getfixturevalue(persona)

    assert Ask.objects.visible_to(user).filter(pk=ask.pk).exists() == sees_ask
    assert Ask.objects.editable_by(user).filter(pk=ask.pk).exists() == edits_ask
    assert Campaign.objects.visible_to(user).filter(pk=ask.campaign_id).exists() == sees_ask
    # Only the superuser sees another campaign's asks.
    assert Ask.objects.visible_to(user).filter(pk=other_ask.pk).exists() == (persona in ("outsider", "superuser"))


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("viewer", {"public", "internal"}),
        ("editor", {"public", "internal", "confidential"}),
        ("lead", {"public", "internal", "confidential"}),
        ("outsider", set()),
        ("superuser", {"public", "internal", "confidential"}),
    ],
)
def test_confidential_evidence_only_for_editors_and_leads(request, campaign, ask, persona, visible):
    for sensitivity in Evidence.Sensitivity.values:
        EvidenceFactory(campaign=campaign, asks=[ask], sensitivity=sensitivity, title=sensitivity)
    user = request.getfixturevalue(persona)

    seen = set(Evidence.objects.visible_to(user).values_list("sensitivity", flat=True))

    assert seen == visible


def test_anonymous_and_inactive_users_see_nothing(ask, editor):
    from django.contrib.auth.models import AnonymousUser

    editor.is_active = False
    editor.save()
    for user in (AnonymousUser(), editor):
        assert not Ask.objects.visible_to(user).exists()
        assert not Ask.objects.editable_by(user).exists()
        assert not Campaign.objects.visible_to(user).exists()
        assert not Evidence.objects.visible_to(user).exists()


def test_inactive_superuser_cannot_edit(ask):
    superuser = UserFactory(email="gone@example.org", is_superuser=True, is_staff=True, is_active=False)
    assert not Ask.objects.editable_by(superuser).exists()
