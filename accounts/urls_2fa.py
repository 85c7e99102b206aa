"""Mounted at /accounts/two-factor/ (config/urls.py). RequireTwoFactorMiddleware
lets an unverified user reach enrol, verify and the one-time codes page, so
those views check what they must themselves."""

from django.urls import path

from accounts import views_2fa, views_security

urlpatterns = [
    path("enrol/", views_2fa.enrol, name="two_factor_enrol"),
    path("verify/", views_2fa.verify, name="two_factor_verify"),
    path("recovery-codes/", views_2fa.recovery_codes, name="two_factor_recovery_codes"),
    path("recovery-codes/new/", views_2fa.recovery_codes_regenerate, name="two_factor_recovery_regenerate"),
    path("disable/", views_2fa.disable, name="two_factor_disable"),
    path("sessions/logout-everywhere/", views_security.logout_everywhere, name="logout_everywhere"),
]
