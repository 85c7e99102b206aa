from django.urls import path

from campaign import views

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
]
