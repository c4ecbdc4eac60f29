"""Deploying the built forms to a field server: KoboToolbox (kobo.py) or ODK Central (central.py), each the way its
own interface does it, so a form published from Kinga looks to the server's users like any other. This module is
the entry point: it builds each form's bundle (the XLSX and the lists it reads), picks the server and audits each
form sent.

`kinga forms publish --to kobo|odk` sends the forms with their lists; `kinga forms lists --to kobo|odk` sends only
the lists of forms already published (a new site, place, organisation or round reaches the phones), never the
workbook and without a new version of the form's questions: each server's module says how.

Every failure is a PublishError whose message (translated: French by default) says which server refused what.
"""

from __future__ import annotations

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from kinga.core import access, audit
from kinga.core.access import Actor

from . import builder, reference
from .central import Central
from .deployment import Bundle, Published
from .errors import PublishError
from .kobo import POLL_SECONDS, Kobo
from .spec import FormDefinition

TARGETS = ("kobo", "odk")
KOBO_POLL_SECONDS = POLL_SECONDS  # read by server_for, so that the tests can set it to 0


def bundle(form: FormDefinition, *, territory: str | None = None) -> Bundle:
    return Bundle(
        form_id=form.form_id,
        title=form.title.fr,
        version=builder.version(form),
        xlsx=builder.workbook_bytes(form),
        tables={name: reference.table(name, territory) for name in form.attachments},
    )


def server_for(target: str, *, client: httpx.Client | None = None):
    if target == "kobo":
        return Kobo(
            settings.KINGA_KOBO_URL, settings.KINGA_KOBO_TOKEN, client=client, poll_seconds=KOBO_POLL_SECONDS
        )
    if target == "odk":
        return Central(
            settings.KINGA_ODK_URL,
            settings.KINGA_ODK_USER,
            settings.KINGA_ODK_PASSWORD,
            settings.KINGA_ODK_PROJECT,
            client=client,
        )
    raise PublishError(_("Unknown server “%(target)s”: choose kobo or odk.") % {"target": target})


def _entity_changes(published: Published) -> dict:
    """For the audit trail: whether a new version was published and what each entity list received."""
    if not published.entity_lists:
        return {}
    return {
        "new_version": published.new_version,
        "entity_lists": {
            s.dataset: {"created": s.created, "updated": s.updated, "deleted": s.deleted}
            for s in published.lists
        },
    }


def publish(
    *, actor: Actor, target: str, forms: list[FormDefinition], territory: str | None = None, server=None
) -> list[Published]:
    """Deploys each form to the server (audited per form); stops at the first refusal."""
    access.require(actor, "field.publish_forms")
    server = server or server_for(target)
    results = []
    for form in forms:
        published = server.publish(bundle(form, territory=territory))
        audit.record(
            actor=actor,
            action="update",
            target_type="field.xlsform",
            target_id=form.form_id,
            changes={
                "server": target,
                "version": published.version,
                "remote_id": published.remote_id,
                **_entity_changes(published),
            },
            note=f"forms publish --to {target}",
        )
        results.append(published)
    return results


def publish_lists(
    *, actor: Actor, target: str, forms: list[FormDefinition], territory: str | None = None, server=None
) -> list[Published]:
    """Sends the lists of forms already on the server, without their workbook (audited per form); stops at
    the first refusal. Forms without lists are left alone."""
    access.require(actor, "field.publish_forms")
    server = server or server_for(target)
    results = []
    for form in forms:
        if not form.attachments:
            continue
        published = server.publish_lists(bundle(form, territory=territory))
        audit.record(
            actor=actor,
            action="update",
            target_type="field.xlsform",
            target_id=form.form_id,
            changes={
                "server": target,
                "version": published.version,
                "lists": sorted(form.attachments),
                **_entity_changes(published),
            },
            note=f"forms lists --to {target}",
        )
        results.append(published)
    return results
