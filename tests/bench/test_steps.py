"""The benchmark's steps inside Django: each page's queries counted as built,
and the mix's users with pages of their own and asks they may write on."""

from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from bench.steps import CACHED_SUFFIX, mix_users, page_paths, page_query_counts
from campaign import publishing
from campaign.models import Ask, Role
from tests.factories import AskFactory, MembershipFactory


def test_bench_counts_each_pages_queries_as_built(editor, lead, ask):
    device = TOTPDevice.objects.create(user=editor, name="Bench authenticator", confirmed=True)
    publishing.campaign_publish(
        campaign=ask.campaign, actor=lead, public_title="Public", public_summary="", allow_indexing=False
    )
    publishing.ask_publish(ask=ask, actor=lead, public_wording="Publish the report.")
    prepared = {
        "showcase_ask_id": ask.pk,
        "campaign_slug": ask.campaign.slug,
        "campaign_id": ask.campaign_id,
        "public_ask_id": ask.public_id,
    }

    counts = page_query_counts(prepared, device)

    # /healthz without a session, as wrk and monitoring ask for it; the admin is not counted.
    assert counts.pop("healthz") == 1 and counts.pop("admin ask changelist") is None
    assert all(count <= 12 for count in counts.values()), counts
    # A public page from the cache reads only whether it is still published.
    for name in ("public campaign", "public ask", "public feed"):
        assert counts[name + CACHED_SUFFIX] < counts[name], name
    # As often as each page built for a session that has made its requests of
    # the minute (wrk's), which no longer writes its refreshed expiry.
    client = Client()
    client.force_login(editor)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    client.get("/campaigns/")
    for name, path in page_paths(prepared).items():
        if name in counts:
            for cache in caches.all():
                cache.clear()  # nothing stored by the first count: built again
            with CaptureQueriesContext(connection) as captured:
                assert client.get(path).status_code == 200
            assert len(captured) == counts[name], name


def test_mix_users_may_write_and_visit_only_their_own_campaigns(campaign, other_campaign, lead, editor, viewer, ask):
    showcase = AskFactory(campaign=campaign)
    elsewhere = AskFactory(campaign=other_campaign)
    MembershipFactory(campaign=other_campaign, user=editor, role=Role.VIEWER)

    users = {user["email"]: user for user in mix_users(exclude_ask_id=showcase.pk)}

    # Only members who may edit somewhere write notes, so the viewer is left out.
    assert set(users) == {lead.email, editor.email}
    mine = users[editor.email]
    assert mine["notes"] == [f"/asks/{ask.pk}/note/"]
    assert sorted(mine["asks"]) == sorted([f"/asks/{ask.pk}/", f"/asks/{elsewhere.pk}/"])
    assert sorted(mine["campaigns"]) == ["/campaigns/china/", "/campaigns/other/"]
    # Each signs in with an authenticator of their own.
    assert TOTPDevice.objects.get(user=editor, confirmed=True).key == mine["totp_key"]
    assert Ask.objects.filter(pk=showcase.pk).exists()
    assert all(f"/asks/{showcase.pk}/" not in user["asks"] for user in users.values())
