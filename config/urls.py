from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Campaign tracker administration"
admin.site.site_title = "Campaign tracker admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("accounts/two-factor/", include("accounts.urls_2fa")),
    path("", include("campaign.urls")),
]
