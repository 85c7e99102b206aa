from django.urls import path

from campaign import views_digests

urlpatterns = [
    path("digests/", views_digests.digest_list, name="digest_list"),
    path("digests/<int:pk>/", views_digests.digest_detail, name="digest_detail"),
]
