from django.apps import AppConfig

# Every admin changelist, third-party ones included, shows at most this many rows
# a page, no count of the whole table and no date hierarchy (which reads every
# row's date): Django's defaults are 100 rows and a second COUNT(*) over the
# table whenever a filter or search is used, and some of these tables (login
# attempts, sessions, sent email) grow without end.
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
            _date_filter_for_date_hierarchy(model_admin)


def _date_filter_for_date_hierarchy(model_admin):
    """Django's date hierarchy reads the distinct years of every row to draw
    itself (a query that grows every year; the login attempt log grows without end). A date filter on the same field
    offers fixed choices with no query of its own."""
    from django.contrib.admin import DateFieldListFilter

    field = model_admin.date_hierarchy
    if not field:
        return
    model_admin.date_hierarchy = None
    filtered = {
        item if isinstance(item, str) else item[0] for item in model_admin.list_filter if not isinstance(item, type)
    }
    if field not in filtered:
        model_admin.list_filter = [*model_admin.list_filter, (field, DateFieldListFilter)]
