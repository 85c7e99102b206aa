"""The busiest pages run a fixed number of queries however much data there is:
measured with 5 asks, then asserted with 200 (no query per row)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaign.models import Evidence
from tests.factories import AskFactory, EvidenceFactory, TargetFactory, UpdateFactory
from tests.two_factor import force_login_verified

MAX_QUERIES = 12


def grow(campaign, editor, ask, *, to: int):
    """Bring the campaign to ``to`` asks (across several targets), each with an
    update and a piece of evidence; ``ask`` itself gets ``to`` of each."""
    targets = [TargetFactory(name=f"Target {n}") for n in range(5)]
    existing = campaign.asks.count()
    for n in range(existing, to):
        other = AskFactory(campaign=campaign, target=targets[n % 5], owner=editor, status=["open", "met"][n % 2])
        UpdateFactory(ask=other, author=editor, note="Letter sent.")
        EvidenceFactory(campaign=campaign, asks=[other, ask], added_by=editor)
        UpdateFactory(ask=ask, author=editor, note=f"Follow-up {n}.")
    EvidenceFactory(campaign=campaign, asks=[ask], sensitivity=Evidence.Sensitivity.CONFIDENTIAL)


PAGES = {
    "dashboard": lambda ask: reverse("dashboard"),
    "ask list": lambda ask: reverse("ask_list"),
    "ask list searched": lambda ask: reverse("ask_list") + "?q=CHN&sort=priority",
    "ask detail": lambda ask: reverse("ask_detail", args=[ask.pk]),
    "campaign page": lambda ask: reverse("campaign_detail", args=[ask.campaign.slug]),
}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    ("persona", "second_factor"),
    # With DEBUG off everyone signs in with an authenticator app (REQUIRE_2FA),
    # and every request then checks the session's device.
    [("viewer", False), ("editor", False), ("viewer", True), ("editor", True)],
)
def test_page_query_count_does_not_grow_with_the_data(
    page, persona, second_factor, request, client, campaign, editor, ask, django_assert_num_queries
):
    user = request.getfixturevalue(persona)
    if second_factor:
        force_login_verified(client, user)
    else:
        client.force_login(user)
    url = PAGES[page](ask)
    grow(campaign, editor, ask, to=5)
    client.get(url)  # the first request of a session also writes the session; measure the next ones
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200

    grow(campaign, editor, ask, to=200)

    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert len(small.captured_queries) <= MAX_QUERIES


@pytest.mark.parametrize("persona", ["viewer", "outsider"])
def test_the_role_check_rides_on_the_asks_own_query(persona, request, client, ask):
    """The ask page reads the ask and the user's role in its campaign together:
    no membership query of its own, for a member or for an outsider (404)."""
    client.force_login(request.getfixturevalue(persona))
    client.get(reverse("dashboard"))  # the session's first request writes it
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("ask_detail", args=[ask.pk]))
    assert response.status_code == {"viewer": 200, "outsider": 404}[persona]
    membership_reads = [q["sql"] for q in captured.captured_queries if 'FROM "campaign_membership"' in q["sql"]]
    assert [sql for sql in membership_reads if not sql.lstrip().startswith('SELECT "campaign_ask"')] == []
