"""The home page's panels of the sites app (kinga.core.plugins.register_home_panel): for a site inspector, the
sites due an inspection and the sites whose child-labour status changed recently."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kinga.core import clock, plugins
from kinga.core.access import Actor
from kinga.core.plugins import HomeCount, HomeLink, HomePanel, HomeRow
from kinga.core.roles import Role
from kinga.sites import selectors
from kinga.sites.models import Status


def _status(code: str) -> str:
    return str(Status(code).label) if code in Status.values else code


def inspections_due(actor: Actor) -> HomePanel:
    today = clock.today()
    data = selectors.inspections_due(actor, today=today)
    url = f"{reverse('sites:list')}?due=1"
    return HomePanel(
        title=_("Sites due an inspection"),
        action=HomeLink(_("Inspect a site"), url) if actor.has("sites.inspect") else None,
        counts=[
            HomeCount(_("overdue"), data["late"], url=url, overdue=True),
            HomeCount(
                _("due within %(days)s days") % {"days": selectors.INSPECTION_SOON_DAYS}, data["due"], url=url
            ),
        ],
        rows=[
            HomeRow(
                label=str(site.name),
                url=reverse("sites:detail", args=[site.uuid]),
                detail=" · ".join(
                    part for part in (_status(site.current_status), str(site.territory or "")) if part
                ),
                date=site.due_on,
                overdue=bool(site.is_late),
            )
            for site in data["rows"]
        ],
        empty_text=_(
            "No site due an inspection. Sites whose status expires, or whose correction deadline comes, "
            "within %(days)s days appear here."
        )
        % {"days": selectors.INSPECTION_SOON_DAYS},
        more=HomeLink(_("See every site due an inspection"), url),
    )


def status_changes(actor: Actor) -> HomePanel:
    data = selectors.recent_status_changes(actor, today=clock.today())
    return HomePanel(
        title=_("Status changes in the last 30 days"),
        counts=[
            HomeCount(ngettext("change", "changes", data["count"]), data["count"]),
            HomeCount(
                ngettext("site turned red", "sites turned red", data["to_red"]), data["to_red"], overdue=True
            ),
        ],
        rows=[
            HomeRow(
                label=str(change.site.name),
                url=reverse("sites:detail", args=[change.site.uuid]),
                detail=f"{_status(change.old_status)} → {_status(change.new_status)} · {change.get_evidence_display()}",
                date=change.effective_on,
            )
            for change in data["rows"]
        ],
        empty_text=_(
            "No site changed status in the last 30 days. Inspections, verified alerts and children identified "
            "at a site change its status; each change appears here."
        ),
        more=HomeLink(_("See the sites map"), reverse("sites:map")),
    )


def register_panels() -> None:
    plugins.register_home_panel(
        "sites-inspections-due", roles=[Role.SITE_INSPECTOR], order=10, build=inspections_due
    )
    plugins.register_home_panel(
        "sites-status-changes", roles=[Role.SITE_INSPECTOR], order=30, build=status_changes
    )
