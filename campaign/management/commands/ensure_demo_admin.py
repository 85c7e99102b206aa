"""Make sure the demo admin account exists and say how to log in.

The password is generated on first creation, never hard-coded, and kept in
VAR_DIR/demo-admin-password.txt (readable by its owner only) so that later runs
can print it again.
"""

import os
import secrets

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.models import User
from campaign.demo import DEMO_ADMIN_EMAIL, demo_admin_join_campaigns


def password_file():
    return settings.VAR_DIR / "demo-admin-password.txt"


def write_private(path, text: str):
    """Create the file with mode 600 from the start: it is never readable by others."""
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text + "\n")


class Command(BaseCommand):
    help = f"Create the demo superuser {DEMO_ADMIN_EMAIL} if missing and print how to log in."

    def handle(self, *args, **options):
        admin = User.objects.filter(email__iexact=DEMO_ADMIN_EMAIL).first()
        path = password_file()
        if admin is None:
            password = secrets.token_urlsafe(12)
            admin = User.objects.create_superuser(DEMO_ADMIN_EMAIL, password, full_name="Demo admin")
            write_private(path, password)
            self.stdout.write(f"Created the demo admin account (password saved in {path}).")
        elif path.exists() and admin.check_password(path.read_text().strip()):
            password = path.read_text().strip()
        else:
            password = None  # someone chose their own password: keep it
        if not (admin.is_superuser and admin.is_staff and admin.is_active):
            admin.is_superuser = admin.is_staff = admin.is_active = True
            admin.save(update_fields=["is_superuser", "is_staff", "is_active"])
            self.stdout.write(f"{DEMO_ADMIN_EMAIL} existed without admin rights; it is a superuser again.")
        demo_admin_join_campaigns(admin)

        self.stdout.write(f"Log in at {settings.SITE_URL}/ as {DEMO_ADMIN_EMAIL}")
        if password is None:
            self.stdout.write(
                f"The password was changed since it was generated (or {path} is gone). "
                f"To set a new one: python manage.py changepassword {DEMO_ADMIN_EMAIL}"
            )
        else:
            self.stdout.write(f"Password: {password}")
        if "accounts.middleware.RequireTwoFactorMiddleware" in settings.MIDDLEWARE:
            self.stdout.write(
                "Admin accounts need two-factor login: the first login asks you to set up an authenticator app."
            )
