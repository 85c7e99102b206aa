"""/asks/export.csv: exactly the asks the /asks/ list shows for the same filters,
all pages of them, safe to open in a spreadsheet."""

import csv
import io

import pytest
from django.conf import settings as django_settings
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone

from campaign.exports import ASK_COLUMNS
from campaign.models import Ask
from tests.factories import AskFactory

EXPORT_URL = "/asks/export.csv"


def export_rows(client, params=None) -> list[dict]:
    response = client.get(EXPORT_URL, params or {})
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # so Excel reads UTF-8
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    assert reader.fieldnames == ASK_COLUMNS
    return list(reader)


def exported_ids(client, params=None) -> list[int]:
    return [int(row["id"]) for row in export_rows(client, params)]


@pytest.fixture
def asks(campaign, other_campaign, target, editor):
    """Asks in the campaign in several states, and one elsewhere."""
    return {
        "open": AskFactory(campaign=campaign, target=target, title="Open ask"),
        "in_progress": AskFactory(campaign=campaign, target=target, title="Moving", status=Ask.Status.IN_PROGRESS),
        "in_progress_mine": AskFactory(
            campaign=campaign, target=target, title="Mine, moving", status=Ask.Status.IN_PROGRESS, owner=editor
        ),
        "met": AskFactory(campaign=campaign, target=target, title="Done", status=Ask.Status.MET),
        "elsewhere": AskFactory(campaign=other_campaign, title="Other campaign's ask", status=Ask.Status.IN_PROGRESS),
        "deleted": AskFactory(campaign=campaign, target=target, title="Deleted", deleted_at=timezone.now()),
    }


def test_rows_are_the_asks_the_user_may_see(client, viewer, campaign, asks):
    client.force_login(viewer)

    ids = exported_ids(client)

    assert sorted(ids) == sorted(Ask.objects.visible_to(viewer).values_list("id", flat=True))
    assert asks["elsewhere"].pk not in ids
    assert asks["deleted"].pk not in ids


def test_rows_equal_the_list_page_for_the_same_filters(client, viewer, asks):
    client.force_login(viewer)
    params = {"status": "in_progress", "sort": "-last_activity"}

    listed = [ask.pk for ask in client.get(reverse("ask_list"), params).context["asks"]]

    assert exported_ids(client, params) == listed
    assert sorted(listed) == sorted([asks["in_progress"].pk, asks["in_progress_mine"].pk])


def test_status_filter_is_respected(client, viewer, asks):
    client.force_login(viewer)

    rows = export_rows(client, {"status": "in_progress"})

    assert {row["title"] for row in rows} == {"Moving", "Mine, moving"}
    assert {row["status"] for row in rows} == {"in_progress"}


def test_all_pages_are_exported_not_only_the_first(client, viewer, campaign, target):
    AskFactory.create_batch(55, campaign=campaign, target=target)
    client.force_login(viewer)

    assert len(exported_ids(client)) == 55


def test_outsider_export_has_none_of_the_campaigns_asks(client, outsider, asks):
    client.force_login(outsider)

    # Even naming the campaign in the filter reveals nothing.
    assert exported_ids(client) == [asks["elsewhere"].pk]
    assert asks["open"].pk not in exported_ids(client, {"campaign": asks["open"].campaign_id})


def test_formula_cells_are_neutralised(client, viewer, campaign, target):
    AskFactory(
        campaign=campaign,
        target=target,
        title='=HYPERLINK("http://evil.example","Click")',
        deadline_reason="+cmd|' /C calc'!A0",
    )
    client.force_login(viewer)

    (row,) = export_rows(client)

    assert row["title"] == '\'=HYPERLINK("http://evil.example","Click")'
    assert row["deadline_reason"] == "'+cmd|' /C calc'!A0"


def test_row_links_to_the_ask_and_names_its_campaign_and_target(client, viewer, settings, asks):
    settings.SITE_URL = "https://tracker.example.org"
    client.force_login(viewer)

    row = next(row for row in export_rows(client) if row["title"] == "Open ask")

    assert row["link"] == f"https://tracker.example.org/asks/{asks['open'].pk}/"
    assert row["campaign"] == "china"  # the slug, which the admin import reads back
    assert row["target"] == "UN High Commissioner for Human Rights"


def test_download_is_a_dated_private_attachment(client, viewer):
    client.force_login(viewer)

    response = client.get(EXPORT_URL)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="asks-{timezone.localdate():%Y-%m-%d}.csv"'
    assert response["Cache-Control"] == "private, no-store"


def test_anonymous_is_sent_to_login(client, asks):
    response = client.get(EXPORT_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(django_settings.LOGIN_URL))


def test_row_carries_the_wording_and_the_owners_email(client, viewer, asks, editor):
    client.force_login(viewer)

    row = next(row for row in export_rows(client) if row["title"] == "Mine, moving")

    assert row["wording"] == asks["in_progress_mine"].wording
    assert row["owner"] == editor.email


def test_days_left_is_empty_for_closed_asks(client, viewer, campaign, target):
    import datetime

    long_ago = timezone.localdate() - datetime.timedelta(days=1638)
    AskFactory(campaign=campaign, target=target, title="Met long ago", status=Ask.Status.MET, deadline=long_ago)
    AskFactory(campaign=campaign, target=target, title="Overdue", deadline=long_ago)
    client.force_login(viewer)

    rows = {row["title"]: row for row in export_rows(client)}

    assert rows["Met long ago"]["days_left"] == ""
    assert rows["Overdue"]["days_left"] == "-1638"
