"""The invitation a new member receives: the one-time link and the e-mail carrying it.

Apart from the services so that the task that sends the e-mail (kinga.core.tasks) and the write that queues it
(kinga.core.services.members.send_invitation) both import it without importing each other.
"""

from __future__ import annotations

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kinga.core.models import Membership, User


def invitation_path(user: User) -> str:
    """The one-time link with which a new member chooses their password (allauth's password reset)."""
    return reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
    )


def deliver_invitation(*, membership: Membership, url: str, actor_user_id: int | None = None) -> None:
    """Send the invitation e-mail now (called by the task). The link never enters the audit trail."""
    user = membership.user
    with translation.override(user.preferred_language or "fr"):
        subject = _("Your Kinga account")
        body = _(
            "Hello,\n\n%(organisation)s gives you access to Kinga as %(role)s.\n"
            "Choose your password with this link (valid a few days, usable once):\n%(url)s\n\n"
            "You will then enrol a second factor (authenticator app) if your role requires it."
        ) % {"organisation": membership.organisation, "role": membership.get_role_display(), "url": url}
    send_mail(subject, body, None, [user.email])
