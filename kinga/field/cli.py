"""What the `kinga intake` subcommands share: the account submissions act as, and the French summary."""

from __future__ import annotations

from collections import Counter

from django.core.management.base import CommandError

from kinga.core.models import Membership

from .models import FormAccess, State

STATE_WORDS = {
    State.APPLIED: "appliquée(s)",
    State.QUARANTINED: "en quarantaine",
    State.RECEIVED: "en attente",
    State.REJECTED: "rejetée(s)",
    State.REPLACED: "remplacée(s)",
}


def membership_of(email: str, form_id: str) -> Membership:
    """The account submissions act as: the person named, else the account of the form's newest key."""
    if email:
        membership = (
            Membership.objects.filter(user__email=email.lower(), is_active=True)
            .select_related("organisation", "user")
            .order_by("created_at")
            .first()
        )
        if membership is None:
            raise CommandError(f"Aucun compte actif n'a l'adresse e-mail {email}.")
        return membership
    key = (
        FormAccess.objects.filter(form_id=form_id, revoked_at__isnull=True)
        .select_related("membership__organisation", "membership__user")
        .order_by("-created_at")
        .first()
    )
    if key is None:
        raise CommandError(
            f"Aucune clé pour le formulaire {form_id} : dites au nom de quel compte appliquer (--compte EMAIL)."
        )
    return key.membership


def summary(counts: Counter, already: int, refused: int) -> str:
    total = sum(counts.values()) + already + refused
    parts = [f"{n} {STATE_WORDS[state]}" for state, n in sorted(counts.items()) if n]
    if already:
        parts.append(f"{already} déjà reçue(s)")
    if refused:
        parts.append(f"{refused} illisible(s)")
    return f"{total} soumission(s) lue(s) : " + (", ".join(parts) or "rien de nouveau")
