from django.apps import AppConfig

# Every admin changelist, third-party ones included, shows at most this many rows
# a page and no count of the whole table: Django's defaults are 100 rows and a
# second COUNT(*) over the table whenever a filter or search is used, and some
# of these tables (login attempts, sessions, sent email) grow without end.
ADMIN_ROWS_PER_PAGE = 50


class CampaignConfig(AppConfig):
    name = "campaign"
    verbose_name = "Campaigns"

    def ready(self):
        # django.contrib.admin comes first in INSTALLED_APPS: by now its
        # autodiscover has registered every app's ModelAdmin.
        from django.contrib import admin

        for model_admin in admin.site._registry.values():
            model_admin.list_per_page = min(model_admin.list_per_page, ADMIN_ROWS_PER_PAGE)
            model_admin.show_full_result_count = False
            if hasattr(model_admin, "history_list_per_page"):  # django-simple-history's history page
                model_admin.history_list_per_page = min(model_admin.history_list_per_page, ADMIN_ROWS_PER_PAGE)
