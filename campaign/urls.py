from django.urls import path

from campaign import views, views_evidence, views_leads

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/<slug:slug>/", views.campaign_detail, name="campaign_detail"),
    path("asks/", views.ask_list, name="ask_list"),
    path("asks/new/", views.ask_create, name="ask_create"),
    path("asks/<int:pk>/", views.ask_detail, name="ask_detail"),
    path("asks/<int:pk>/edit/", views.ask_edit, name="ask_edit"),
    path("asks/<int:pk>/status/", views.ask_status, name="ask_status"),
    path("asks/<int:pk>/note/", views.ask_note, name="ask_note"),
    path("asks/<int:pk>/evidence/new/", views.evidence_add, name="evidence_add"),
    path("asks/<int:pk>/delete/", views.ask_delete, name="ask_delete"),
    path("evidence/<int:pk>/edit/", views_evidence.evidence_edit, name="evidence_edit"),
    path("evidence/<int:pk>/delete/", views_evidence.evidence_delete, name="evidence_delete"),
]

# Run by the campaign's leads (campaign/views_leads.py).
urlpatterns += [
    path("campaigns/<slug:slug>/edit/", views_leads.campaign_edit, name="campaign_edit"),
    path("campaigns/<slug:slug>/members/", views_leads.campaign_members, name="campaign_members"),
    path("campaigns/<slug:slug>/members/add/", views_leads.campaign_member_add, name="campaign_member_add"),
    path("campaigns/<slug:slug>/members/<int:pk>/role/", views_leads.campaign_member_role, name="campaign_member_role"),
    path(
        "campaigns/<slug:slug>/members/<int:pk>/remove/",
        views_leads.campaign_member_remove,
        name="campaign_member_remove",
    ),
]
