"""The home page's panels of the supply chain (kinga.core.plugins.register_home_panel): for a company's
due-diligence officer, its lots awaiting a decision and the status of the sites and cooperatives that supply it;
for a site inspector, the lots waiting for an evacuation decision. Counts and sites only: no child, ever."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kinga.core import plugins
from kinga.core.access import Actor
from kinga.core.plugins import HomeCount, HomeLink, HomePanel, HomeRow
from kinga.core.roles import Role
from kinga.sites.models import Status
from kinga.supply import selectors
from kinga.supply.models import LotStatus


def _lot_rows(lots) -> list[HomeRow]:
    return [
        HomeRow(
            label=lot.reference,
            url=reverse("supply:lot_detail", args=[lot.uuid]),
            detail=" · ".join(
                (str(lot.site.name), str(lot.cooperative.name), str(lot.get_mineral_display()))
            ),
            date=lot.date,
        )
        for lot in lots
    ]


def buyer(actor: Actor) -> list[HomePanel]:
    """Both panels of a buyer, from one read of its purchases."""
    data = selectors.buyer_overview(actor)
    return [buyer_lots(actor, data), supplying_sites(data)]


def buyer_lots(actor: Actor, data: dict) -> HomePanel:
    lots = reverse("supply:lots")
    return HomePanel(
        title=_("My company's lots"),
        action=HomeLink(_("Due-diligence report"), reverse("supply:due_diligence"))
        if actor.has("supply.report")
        else None,
        counts=[
            HomeCount(
                ngettext(
                    "supplying site red or expired", "supplying sites red or expired", data["sites_at_risk"]
                ),
                data["sites_at_risk"],
                overdue=True,
            ),
            HomeCount(
                ngettext("lot awaiting a decision", "lots awaiting a decision", data["pending"]),
                data["pending"],
                url=f"{lots}?status={LotStatus.PENDING}",
            ),
            HomeCount(
                ngettext("lot refused", "lots refused", data["refused"]),
                data["refused"],
                url=f"{lots}?status={LotStatus.REFUSED}",
                overdue=True,
            ),
        ],
        rows=_lot_rows(data["pending_rows"]),
        empty_text=_(
            "No lot awaiting a decision. Lots bought by your company appear here until the site inspector "
            "authorises or refuses their evacuation."
        ),
        more=HomeLink(_("See every lot"), lots),
        key="supply-buyer-lots",
    )


AT_RISK = ("red", "expired")  # a buyer's suppliers to look at first


def _status(code: str) -> str:
    return str(Status(code).label) if code in Status.values else code


def supplying_sites(data: dict) -> HomePanel:
    counts = [
        HomeCount(_status(code), data["sites_by_status"].get(code, 0), overdue=code in AT_RISK)
        for code in ("red", "expired", "yellow", "green", "blue")
        if data["sites_by_status"].get(code)
    ]
    rows = [
        HomeRow(
            label=str(site.name),
            url=reverse("sites:detail", args=[site.uuid]),
            detail=" · ".join(
                part
                for part in (
                    "" if site.current_status in AT_RISK else _status(site.current_status),
                    ngettext("%(n)d lot", "%(n)d lots", site.n_lots) % {"n": site.n_lots},
                )
                if part
            ),
            flag=_status(site.current_status) if site.current_status in AT_RISK else "",
        )
        for site in data["site_rows"]
    ]
    rows += [
        HomeRow(
            label=str(coop["cooperative__name"]),
            detail=_("cooperative · %(n)s lots, %(refused)s refused, %(pending)s awaiting") % coop,
            flag=_("lots refused") if coop["refused"] else "",
        )
        for coop in data["cooperatives"]
    ]
    return HomePanel(
        title=_("Sites and cooperatives supplying you"),
        counts=counts,
        rows=rows,
        empty_text=_(
            "No supplier yet. The sites and cooperatives of the lots your company buys appear here with their "
            "child-labour status."
        ),
        more=HomeLink(_("See the due-diligence report"), reverse("supply:due_diligence")),
        key="supply-supplying-sites",
    )


def lots_to_decide(actor: Actor) -> HomePanel:
    data = selectors.lots_to_decide(actor)
    url = f"{reverse('supply:lots')}?status={LotStatus.PENDING}"
    return HomePanel(
        title=_("Lots awaiting an evacuation decision"),
        counts=[
            HomeCount(
                ngettext("lot awaiting a decision", "lots awaiting a decision", data["pending"]),
                data["pending"],
                url=url,
            )
        ],
        rows=_lot_rows(data["rows"]),
        empty_text=_(
            "No lot awaiting a decision. Lots recorded by cooperatives appear here until you decide."
        ),
        more=HomeLink(_("See every lot awaiting a decision"), url),
    )


def register_panels() -> None:
    plugins.register_home_panel("supply-buyer", roles=[Role.COMPANY_OFFICER], order=10, build=buyer)
    plugins.register_home_panel(
        "supply-lots-to-decide", roles=[Role.SITE_INSPECTOR], order=20, build=lots_to_decide
    )
