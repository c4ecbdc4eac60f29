"""The named system actor of commands and tasks, and `--actor EMAIL` for commands run by a person."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kinga.core.access import Actor, actor_for
from kinga.core.models import User


def system_user() -> User:
    user, _created = User.objects.get_or_create(
        email=settings.KINGA_SYSTEM_ACTOR_EMAIL,
        defaults={"full_name": "Kinga (système)", "is_system": True, "is_active": False},
    )
    return user


def system_actor() -> Actor:
    return Actor(user=system_user())


class ActorCommand(BaseCommand):
    """A management command that writes: it acts as the system actor, or as the person named by --actor."""

    def add_arguments(self, parser):
        parser.add_argument(
            "--actor",
            metavar="EMAIL",
            help="Agir en tant que cet utilisateur (par défaut : l'acteur système).",
        )

    def get_actor(self, options) -> Actor:
        email = options.get("actor")
        if not email:
            return system_actor()
        user = User.objects.filter(email=email.lower()).first()
        if user is None:
            raise CommandError(f"Aucun utilisateur n'a l'adresse e-mail {email}.")
        return actor_for(user)
