"""The ask page's audit history: who changed which field, when, from what to what."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaign.history import ask_history_entries
from campaign.services import ask_change_status
from tests.factories import AskFactory, TargetFactory


def edit(ask, user, **changes):
    for field, value in changes.items():
        setattr(ask, field, value)
    ask._history_user = user
    ask.save()


def test_field_changes_name_who_what_and_old_and_new_values(ask, lead, editor, viewer):
    # Relative to the factory's deadline (30 days ahead), so no day of the year makes it no change.
    old_deadline = ask.deadline
    new_deadline = old_deadline + datetime.timedelta(days=7)
    new_target = TargetFactory(name="UN Human Rights Council")
    edit(ask, lead, deadline=new_deadline, owner=viewer)
    edit(ask, editor, target=new_target, priority="high")

    entries = ask_history_entries(ask)
    assert [(e.kind, e.field) for e in entries] == [
        ("changed", "priority"),
        ("changed", "target"),
        ("changed", "deadline"),
        ("changed", "owner"),
        ("created", ""),
    ]
    priority, target, deadline, owner, _created = entries
    assert (priority.who, priority.label, priority.old, priority.new) == (editor, "Priority", "Medium", "High")
    assert (target.old, target.new) == ("UN High Commissioner for Human Rights", "UN Human Rights Council")
    assert (deadline.who, deadline.old, deadline.new) == (lead, old_deadline.isoformat(), new_deadline.isoformat())
    assert (owner.old, owner.new) == (str(editor), str(viewer))
    assert entries == sorted(entries, key=lambda e: e.created_at, reverse=True)


def test_status_changes_are_left_to_their_timeline_update(ask, editor):
    ask_change_status(ask=ask, new_status="in_progress", author=editor, note="Letter sent.")
    assert [e.kind for e in ask_history_entries(ask)] == ["created"]
    with_status = ask_history_entries(ask, include_status=True)
    assert (with_status[0].field, with_status[0].old, with_status[0].new) == ("status", "Open", "In progress")
    assert with_status[0].who == editor


def test_soft_delete_and_restore_show_as_such(ask, lead):
    edit(ask, lead, deleted_at=timezone.now())
    edit(ask, lead, deleted_at=None)
    assert [e.kind for e in ask_history_entries(ask)] == ["restored", "deleted", "created"]


def test_long_history_costs_a_fixed_number_of_queries(campaign, target, lead, editor, viewer):
    # A deadline none of the edits below sets (the factory's, 30 days ahead, was
    # 1 January 2027 on 2 December 2026, and the first edit then changed nothing).
    ask = AskFactory(campaign=campaign, target=target, deadline=datetime.date(2028, 6, 30))
    for day in range(1, 31):
        edit(ask, lead, deadline=datetime.date(2027, 1, day), owner=[editor, viewer][day % 2])
    with CaptureQueriesContext(connection) as queries:
        entries = ask_history_entries(ask)
    assert len(entries) == 1 + 30 * 2  # created, then a deadline and an owner change per edit
    assert len(queries) <= 4


def test_ask_page_timeline_shows_field_changes_beside_updates(client, ask, lead, viewer):
    new_deadline = ask.deadline + datetime.timedelta(days=7)
    edit(ask, lead, deadline=new_deadline)
    ask_change_status(ask=ask, new_status="in_progress", author=lead, note="Meeting held with OHCHR.")

    client.force_login(viewer)
    page = client.get(ask.get_absolute_url()).content.decode()

    shown = f"<ins>{new_deadline.isoformat()}</ins>"
    assert "Deadline: <del>" in page and shown in page
    assert "Meeting held with OHCHR." in page
    # Newest first: the status change was made after the deadline edit.
    assert page.index("Meeting held with OHCHR.") < page.index(shown)


def test_an_ask_recorded_after_the_fact_shows_its_real_creation_date(campaign, target, lead):
    made_on = timezone.now() - datetime.timedelta(days=900)
    ask = AskFactory(campaign=campaign, target=target, created_at=made_on)

    created = ask_history_entries(ask)[-1]

    assert (created.kind, created.when) == ("created", made_on)
