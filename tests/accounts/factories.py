from __future__ import annotations

from typing import Any

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from accounts.models import Membership, Organisation, Role, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")

    @factory.post_generation
    def password(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        obj.set_password(extracted or "correct-horse-battery")
        if create:
            obj.save(update_fields=["password"])
            EmailAddress.objects.get_or_create(user=obj, email=obj.email, defaults={"verified": True, "primary": True})


def organisation(short_name: str) -> Organisation:
    return Organisation.objects.get(short_name=short_name)


TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class MembershipFactory(factory.django.DjangoModelFactory):
    """A member of staff. Every staff role signs in with a second step (accounts.roles), so the
    user gets the test authenticator too; pass `totp=False` for someone who has not set it up."""

    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    organisation = factory.LazyFunction(lambda: organisation("Wessex"))
    role = Role.STAFF

    @factory.post_generation
    def totp(obj: Membership, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted is not False:
            with_totp(obj.user)


def with_totp(user: User) -> User:
    """Enrol the test TOTP authenticator so a member of staff can reach pages beyond MFA set-up."""

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, TEST_TOTP_SECRET)
    return user
