"""factory_boy factories; the personas built from them live in tests/conftest.py."""

import datetime

import factory
from django.utils import timezone

from accounts.models import User
from campaign import un_symbols
from campaign.models import Ask, Campaign, Evidence, Membership, Role, Target, Update


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    timezone = "Europe/Zurich"
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    title = factory.Sequence(lambda n: f"Campaign {n}")
    slug = factory.Sequence(lambda n: f"campaign-{n}")
    summary = "Follow-up of public demands."
    started_on = datetime.date(2022, 5, 1)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    campaign = factory.SubFactory(CampaignFactory)
    role = Role.VIEWER


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Target {n}")
    kind = Target.Kind.UN_BODY


class AskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ask

    campaign = factory.SubFactory(CampaignFactory)
    target = factory.SubFactory(TargetFactory)
    title = factory.Sequence(lambda n: f"Ask {n}")
    wording = "Immediately publish the report."
    status = Ask.Status.OPEN
    deadline = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evidence
        skip_postgeneration_save = True

    campaign = factory.SubFactory(CampaignFactory)
    title = factory.Sequence(lambda n: f"Evidence {n}")
    reference = factory.Sequence(lambda n: f"CHN {n}/2020")
    # As Evidence.read_reference sets them on every path that saves evidence.
    reference_canonical = factory.LazyAttribute(lambda item: un_symbols.parse(item.reference).canonical)
    reference_kind = factory.LazyAttribute(lambda item: un_symbols.parse(item.reference).kind)
    sensitivity = Evidence.Sensitivity.INTERNAL

    @factory.post_generation
    def asks(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.asks.set(extracted)


class UpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Update

    ask = factory.SubFactory(AskFactory)
    campaign = factory.SelfAttribute("ask.campaign")
    note = "Letter sent."


# What moving an ask to met, partially met or not met needs (services.outcome_errors).
RATIONALE = (
    "The target did what the ask demanded, publicly and in full; the evidence cited shows it in the target's own words."
)


def outcome_for(ask, response: str = "supported") -> dict:
    """The keyword arguments of ``ask_change_status`` for an outcome resting on a new evidence item of the ask."""
    evidence = EvidenceFactory(campaign=ask.campaign, title=f"Reply about {ask.title}", asks=[ask])
    return {"evidence": evidence, "response": response, "rationale": RATIONALE}
