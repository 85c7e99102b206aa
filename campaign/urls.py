from django.urls import path, re_path

from campaign.publishing import PUBLIC_ID_ALPHABET
from campaign.views import (
    asks,
    dashboard,
    digests,
    evidence,
    feeds,
    leads,
    organisations,
    people,
    public,
    publishing,
    suggestions,
)

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("campaigns/", dashboard.campaign_list, name="campaign_list"),
    path("campaigns/<slug:slug>/", dashboard.campaign_detail, name="campaign_detail"),
    # Before the ask pages, so "export.csv" is never read as an ask id.
    path("asks/export.csv", feeds.asks_export, name="asks_export"),
    path("asks/", asks.ask_list, name="ask_list"),
    path("asks/new/", asks.ask_create, name="ask_create"),
    path("asks/<int:pk>/", asks.ask_detail, name="ask_detail"),
    path("asks/<int:pk>/edit/", asks.ask_edit, name="ask_edit"),
    path("asks/<int:pk>/status/", asks.ask_status, name="ask_status"),
    path("asks/<int:pk>/note/", asks.ask_note, name="ask_note"),
    path("asks/<int:pk>/evidence/new/", asks.evidence_add, name="evidence_add"),
    path("asks/<int:pk>/delete/", asks.ask_delete, name="ask_delete"),
    path("evidence/<int:pk>/edit/", evidence.evidence_edit, name="evidence_edit"),
    path("evidence/<int:pk>/delete/", evidence.evidence_delete, name="evidence_delete"),
    path("evidence/<int:pk>/download/", feeds.evidence_download, name="evidence_download"),
    path("campaigns/<slug:slug>/people/", people.campaign_people, name="campaign_people"),
    path("campaigns/<slug:slug>/people/new/", people.person_create, name="person_create"),
    path("campaigns/<slug:slug>/people/names.csv", people.names_export, name="names_export"),
    # The pseudonym, never the name: URLs end up in logs and browser histories.
    path("people/<str:pseudonym>/", people.person_detail, name="person_detail"),
    path("people/<str:pseudonym>/edit/", people.person_edit, name="person_edit"),
    path("organisations/", organisations.organisation_list, name="organisation_list"),
    path("organisations/new/", organisations.organisation_edit, name="organisation_create"),
    path("organisations/<int:pk>/", organisations.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", organisations.organisation_edit, name="organisation_edit"),
    path("asks/<int:pk>/signatories/", organisations.signature_add, name="signature_add"),
    path(
        "asks/<int:pk>/signatories/<int:signature_pk>/remove/",
        organisations.signature_remove,
        name="signature_remove",
    ),
    path("digests/", digests.digest_list, name="digest_list"),
    path("digests/<int:pk>/", digests.digest_detail, name="digest_detail"),
    # accounts.models.new_calendar_token makes 43 URL-safe characters.
    re_path(r"^calendar/(?P<token>[A-Za-z0-9_-]{20,64})\.ics$", feeds.calendar_feed, name="calendar_feed"),
    path("healthz", feeds.healthz, name="healthz"),
]

# Run by the campaign's leads.
urlpatterns += [
    path("campaigns/<slug:slug>/edit/", leads.campaign_edit, name="campaign_edit"),
    path("campaigns/<slug:slug>/members/", leads.campaign_members, name="campaign_members"),
    path("campaigns/<slug:slug>/members/add/", leads.campaign_member_add, name="campaign_member_add"),
    path("campaigns/<slug:slug>/members/<int:pk>/role/", leads.campaign_member_role, name="campaign_member_role"),
    path("campaigns/<slug:slug>/members/<int:pk>/remove/", leads.campaign_member_remove, name="campaign_member_remove"),
]

# Run by the campaign's leads: what the public sees (issue 20).
urlpatterns += [
    path("campaigns/<slug:slug>/public/", publishing.campaign_public, name="campaign_public"),
    path("campaigns/<slug:slug>/public/unpublish/", publishing.campaign_unpublish, name="campaign_unpublish"),
    path("asks/<int:pk>/public/", publishing.ask_public, name="ask_public"),
    path("asks/<int:pk>/public/unpublish/", publishing.ask_unpublish, name="ask_unpublish"),
    path("asks/<int:pk>/public/update/", publishing.update_publish, name="update_publish"),
    path("asks/<int:pk>/public/update/<int:update_pk>/withdraw/", publishing.update_withdraw, name="update_withdraw"),
    path("campaigns/<slug:slug>/suggestions/", suggestions.campaign_suggestions, name="campaign_suggestions"),
    path("suggestions/<int:pk>/decide/", suggestions.suggestion_decide, name="suggestion_decide"),
]

# The public pages: no login, no session, no cookie (campaign.middleware.PUBLIC_PATH_PREFIXES).
PUBLIC_ID = f"[{PUBLIC_ID_ALPHABET}]{{8}}"
urlpatterns += [
    path("sitemap.xml", public.sitemap, name="sitemap"),
    path("p/<slug:slug>/", public.campaign_page, name="public_campaign"),
    path("p/<slug:slug>/feed.atom", public.feed, name="public_feed"),
    path("p/<slug:slug>/embed/", public.embed, name="public_embed"),
    re_path(rf"^p/(?P<slug>[-a-zA-Z0-9_]+)/(?P<public_id>{PUBLIC_ID})/$", public.ask_page, name="public_ask"),
    # The one public page with a form, so the ask's page stays form-free and cacheable.
    re_path(
        rf"^p/(?P<slug>[-a-zA-Z0-9_]+)/(?P<public_id>{PUBLIC_ID})/suggest/$",
        suggestions.suggest,
        name="public_suggest",
    ),
]
