"""The home page's community panels (kinga.core.plugins.register_home_panel): the alerts a social worker has
to verify; for a community focal point, the button to report an alert first, then what became of its network's
alerts. Alerts hold counts of children, never an identity."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kinga.core import plugins
from kinga.core.access import Actor
from kinga.core.plugins import HomeCount, HomeLink, HomePanel, HomeRow
from kinga.core.roles import Role

from . import selectors


def _where(alert) -> str:
    return str(alert.site.name if alert.site else alert.place or alert.location_text or "")


def _label(alert) -> str:
    where = _where(alert)
    return f"{alert.reference} · {where}" if where else alert.reference


def alerts_to_verify(actor: Actor) -> HomePanel:
    data = selectors.alerts_to_verify(actor)
    url = reverse("community:triage")
    return HomePanel(
        title=_("Alerts to verify"),
        counts=[
            HomeCount(ngettext("alert to verify", "alerts to verify", data["open"]), data["open"], url=url),
            HomeCount(
                _("past the verification deadline"), data["late"], url=f"{url}?overdue=1", overdue=True
            ),
        ],
        rows=[
            HomeRow(
                label=_label(alert),
                url=reverse("community:alert", args=[alert.uuid]),
                detail=" · ".join(
                    (
                        str(alert.get_status_display()),
                        ngettext("%(n)d child reported", "%(n)d children reported", alert.children_count)
                        % {"n": alert.children_count},
                    )
                ),
                date=timezone.localdate(alert.due_at) if alert.due_at else None,
                overdue=alert.due_at is not None and alert.due_at < data["now"],
            )
            for alert in data["rows"]
        ],
        empty_text=_(
            "No alert to verify. Alerts your organisation receives, and those you take for a visit, appear "
            "here with their deadline."
        ),
        more=HomeLink(_("See every alert"), url),
    )


def _outcome(alert) -> str:
    text = str(alert.get_status_display())
    if alert.cases_registered:
        registered = ngettext(
            "%(n)d child registered", "%(n)d children registered", alert.cases_registered
        ) % {"n": alert.cases_registered}
        text = f"{text} · {registered}"
    return text


def network_alerts(actor: Actor) -> HomePanel:
    data = selectors.network_alerts_outcomes(actor)
    return HomePanel(
        title=_("My network's alerts"),
        action=HomeLink(_("Report an alert"), reverse("community:alert_add"))
        if actor.has("community.report_alert")
        else None,
        counts=[
            HomeCount(_("awaiting verification"), data["open"]),
            HomeCount(
                ngettext("alert not verified in time", "alerts not verified in time", data["late"]),
                data["late"],
                overdue=True,
            ),
            HomeCount(ngettext("alert verified", "alerts verified", data["verified"]), data["verified"]),
            HomeCount(
                ngettext(
                    "child registered for care", "children registered for care", data["children_registered"]
                ),
                data["children_registered"],
            ),
        ],
        rows=[
            HomeRow(
                label=_label(alert),
                url=reverse("community:network", args=[alert.network.uuid]) if alert.network else "",
                detail=_outcome(alert),
                date=timezone.localdate(alert.received_at),
                overdue=alert.status in selectors.OPEN_STATUSES
                and alert.due_at is not None
                and alert.due_at < data["now"],
            )
            for alert in data["rows"]
        ],
        empty_text=_(
            "No alert from your network yet. Each alert you or your network report appears here with what "
            "became of it: verified, children registered, or closed."
        ),
        more=HomeLink(_("See my networks"), reverse("community:networks")),
    )


def register_panels() -> None:
    plugins.register_home_panel(
        "community-alerts-to-verify",
        roles=[Role.CASEWORKER, Role.SUPERVISOR],
        order=20,
        build=alerts_to_verify,
    )
    plugins.register_home_panel(
        "community-network-alerts", roles=[Role.FOCAL_POINT], order=10, build=network_alerts
    )
