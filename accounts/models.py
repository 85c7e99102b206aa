import secrets
import zoneinfo

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.crypto import salted_hmac
from django.utils.timezone import now

from accounts.time_zones import available_zone_names


def validate_timezone(value: str):
    if value not in available_zone_names():
        raise ValidationError(f"“{value}” is not a time zone name such as Europe/Zurich.")


def default_timezone() -> str:
    return settings.TIME_ZONE


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


def new_session_epoch() -> str:
    return secrets.token_hex(8)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        # Login by email ignores case: "Ana@Example.org" is ana@example.org.
        return self.get(email__iexact=email)

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    class DigestFrequency(models.TextChoices):
        OFF = "off", "Off"
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    email = models.EmailField("email address", max_length=254, unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    timezone = models.CharField(
        max_length=64,
        default=default_timezone,
        validators=[validate_timezone],
        help_text="An IANA name such as Europe/Zurich.",
    )
    is_staff = models.BooleanField(default=False, help_text="Can open Django admin.")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=now)

    digest_frequency = models.CharField(max_length=10, choices=DigestFrequency.choices, default=DigestFrequency.WEEKLY)
    digest_weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, default=Weekday.MONDAY)
    digest_hour = models.PositiveSmallIntegerField(default=8, help_text="Hour of the day (0–23) in your time zone.")
    digest_when_quiet = models.BooleanField(
        "send even when quiet", default=False, help_text="Send the digest even when nothing changed in the period."
    )
    notify_status_changes = models.BooleanField(
        default=True, help_text="Email me when an ask I own or lead changes status."
    )
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token, editable=False)
    # Part of the session hash: changing it signs the user out of every other session.
    session_epoch = models.CharField(max_length=16, default=new_session_epoch, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
            models.CheckConstraint(condition=models.Q(digest_hour__lte=23), name="user_digest_hour_0_23"),
        ]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()
        clash = User.objects.filter(email__iexact=self.email).exclude(pk=self.pk)
        if self.email and clash.exists():
            raise ValidationError({"email": "Another account already uses this email address."})

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return (self.full_name.split() or [self.email])[0]

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo(settings.TIME_ZONE)

    def _get_session_auth_hash(self, secret=None):
        key_salt = "accounts.User.get_session_auth_hash"
        return salted_hmac(
            key_salt, f"{self.password}:{self.session_epoch}", secret=secret, algorithm="sha256"
        ).hexdigest()


class RecoveryCode(models.Model):
    """A one-time code for when the authenticator app is lost. Stored hashed;
    the plain code is shown once, at creation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "used_at"])]

    def __str__(self):
        return f"Recovery code for {self.user} ({'used' if self.used_at else 'unused'})"
