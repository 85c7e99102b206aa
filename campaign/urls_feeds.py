from django.urls import path, re_path

from campaign import views_feeds

urlpatterns = [
    # Before campaign.urls, so "export.csv" is never read as an ask id or slug.
    path("asks/export.csv", views_feeds.asks_export, name="asks_export"),
    path("evidence/<int:pk>/download/", views_feeds.evidence_download, name="evidence_download"),
    # accounts.models.new_calendar_token makes 43 URL-safe characters.
    re_path(r"^calendar/(?P<token>[A-Za-z0-9_-]{20,64})\.ics$", views_feeds.calendar_feed, name="calendar_feed"),
    path("healthz", views_feeds.healthz, name="healthz"),
]
