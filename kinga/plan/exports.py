"""Exports of the plan: the logical framework (XLSX, the document's columns, one sheet per axis, cells merged
per action, plus the budget synthesis sheet), the budget and funding (XLSX), and IATI 2.03 activity XML.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from lxml import etree

from kinga.core import access, audit, clock, spreadsheets
from kinga.core.access import Actor
from kinga.plan import selectors
from kinga.plan.indicators import actuals
from kinga.plan.models import ActivityStatus, Plan, TransactionKind
from kinga.plan.reconcile import reconcile

FORMATS = {
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "cadre-logique.xlsx",
    ),
    "budget-xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "budget-financements.xlsx",
    ),
    "iati": ("application/xml", "plan-iati.xml"),
}
LOGFRAME_COLUMNS = [
    "N°",
    "Actions",
    "Activités",
    "Objectifs",
    "Résultats attendus",
    "Indicateurs",
    "Cibles",
    "Période",
    "Coûts estimatifs",
    "Sources de financement",
    "Intervenants",
]
WIDTHS = [5, 30, 34, 34, 34, 30, 24, 10, 16, 26, 26]


def export(*, actor: Actor, plan: Plan, fmt: str, stream) -> int:
    access.require(actor, "plan.export")
    if fmt == "xlsx":
        rows = logframe_xlsx(actor, plan, stream)
    elif fmt == "budget-xlsx":
        rows = budget_xlsx(actor, plan, stream)
    elif fmt == "iati":
        rows = iati_xml(actor, plan, stream)
    else:
        raise ValueError(fmt)
    audit.record_export(actor=actor, what=f"plan.{fmt}", rows=rows, filters={"plan": plan.code})
    return rows


def _lines(values: list[str]) -> str:
    return "\n".join(values)


def _parties(parties) -> str:
    return " ; ".join(p.as_written for p in parties)


def _cost(obj) -> str:
    if obj.cost_usd is None:
        return ""
    return obj.cost_as_written or f"{obj.cost_usd:,.0f} $US".replace(",", " ")


def logframe_xlsx(actor: Actor, plan: Plan, stream) -> int:
    tree = selectors.plan_tree(actor, plan)
    indicators = list(selectors.indicators(actor, plan))
    by_activity: dict[int, list[str]] = {}
    by_action: dict[int, list[str]] = {}
    for ind in indicators:
        linked = list(ind.activities.all())
        if linked:
            for activity in linked:
                by_activity.setdefault(activity.pk, []).append(ind.label_as_written or ind.label_fr)
        else:
            by_action.setdefault(ind.action_id, []).append(ind.label_as_written or ind.label_fr)
    book = spreadsheets.Workbook(stream, {"in_memory": True})
    head = book.add_format(
        {"bold": True, "bg_color": "#DDEBE4", "border": 1, "text_wrap": True, "valign": "top"}
    )
    cell = book.add_format({"text_wrap": True, "valign": "top", "border": 1})
    rows_written = 0
    for axis_row in tree:
        sheet = book.add_worksheet(f"Axe {axis_row.axis.number}")
        sheet.write(0, 0, axis_row.axis.title_as_written or axis_row.axis.title, head)
        for col, (name, width) in enumerate(zip(LOGFRAME_COLUMNS, WIDTHS, strict=True)):
            sheet.write(2, col, name, head)
            sheet.set_column(col, col, width)
        row = 3
        for action_row in axis_row.actions:
            action = action_row.action
            first = row
            for act_row in action_row.activities:
                activity = act_row.activity
                values = [
                    None,
                    None,
                    activity.title,
                    _lines(activity.objectives),
                    _lines(activity.expected_results),
                    _lines(by_activity.get(activity.pk, [])),
                    activity.targets_text,
                    activity.period_as_written,
                    _cost(activity),
                    _parties(p for p in act_row.funding_sources if p.activity_id),
                    _parties(p for p in act_row.implementers if p.activity_id),
                ]
                for col, value in enumerate(values):
                    if value is not None:
                        sheet.write(row, col, value, cell)
                row += 1
            last = row - 1
            # Cells given once for the whole action are merged over its rows, as in the document.
            merged = {
                0: action.number_label,
                1: action.title,
                3: _lines(action.objectives),
                4: _lines(action.expected_results),
                5: _lines(by_action.get(action.pk, [])),
                6: action.targets_text,
                7: action.period_as_written,
                8: _cost(action),
                9: _parties(p for p in action_row.funding_sources if p.action_id),
                10: _parties(p for p in action_row.implementers if p.action_id),
            }
            for col, value in merged.items():
                if col > 1 and not value:
                    continue
                if last > first:
                    sheet.merge_range(first, col, last, col, value, cell)
                else:
                    sheet.write(first, col, value, cell)
            rows_written += last - first + 1
    sheet = book.add_worksheet("Synthèse budgétaire")
    sheet.write(0, 0, "Synthèse des estimations du budget triennal pour la province du Lualaba", head)
    for col, (name, width) in enumerate(
        zip(["N°", "Désignation", "Coûts estimatifs", "Sources de financement"], [6, 60, 18, 60], strict=True)
    ):
        sheet.write(2, col, name, head)
        sheet.set_column(col, col, width)
    money = book.add_format({"num_format": '#,##0 "$US"', "valign": "top", "border": 1})
    lines = {line["axis"]: line for line in plan.baseline["synthesis"]["lines"]}
    row = 3
    for axis_row in tree:
        line = lines.get(axis_row.axis.number, {})
        sheet.write(row, 0, axis_row.axis.synthesis_number, cell)
        sheet.write(row, 1, axis_row.axis.synthesis_designation, cell)
        sheet.write(row, 2, float(axis_row.axis.synthesis_usd), money)
        sheet.write(row, 3, " ; ".join(p["as_written"] for p in line.get("funding_sources", [])), cell)
        row += 1
    sheet.write(row, 1, "Total Général", head)
    sheet.write(row, 2, float(sum(a.axis.synthesis_usd for a in tree)), money)
    book.close()
    return rows_written


def budget_xlsx(actor: Actor, plan: Plan, stream) -> int:
    tree = selectors.plan_tree(actor, plan)
    book = spreadsheets.Workbook(stream, {"in_memory": True})
    head = book.add_format({"bold": True, "bg_color": "#DDEBE4", "border": 1, "text_wrap": True})
    money = book.add_format({"num_format": "#,##0.00"})
    pct = book.add_format({"num_format": "0%"})
    sheet = book.add_worksheet("Budget")
    columns = [
        "Niveau",
        "Code",
        "Intitulé",
        "Prévu (USD)",
        "Engagé (USD)",
        "Décaissé (USD)",
        "Dépensé (USD)",
        "Taux d'exécution",
        "Besoin de financement (USD)",
    ]
    for col, name in enumerate(columns):
        sheet.write(0, col, name, head)
    sheet.set_column(2, 2, 60)
    sheet.set_column(3, 8, 16)
    row = 1

    def write(level: str, code: str, title: str, m: selectors.Money) -> None:
        nonlocal row
        sheet.write(row, 0, level)
        sheet.write(row, 1, code)
        sheet.write(row, 2, title)
        for col, value in enumerate([m.planned, m.committed, m.disbursed, m.spent], start=3):
            sheet.write(row, col, float(value), money)
        if m.planned:
            sheet.write(row, 7, float(m.spent / m.planned), pct)
        sheet.write(row, 8, float(m.funding_gap), money)
        row += 1

    for axis_row in tree:
        write("Axe", str(axis_row.axis.number), axis_row.axis.title, axis_row.money)
        for action_row in axis_row.actions:
            write("Action", action_row.action.code, action_row.action.title, action_row.money)
            for act in action_row.activities:
                write("Activité", act.activity.code, act.activity.title, act.money)
    sheet = book.add_worksheet("Rapprochement")
    for col, name in enumerate(
        ["Axe", "Synthèse (USD)", "Lignes détaillées (USD)", "Écart (USD)", "Montants ambigus"]
    ):
        sheet.write(0, col, name, head)
    report = reconcile(plan)
    for i, axis in enumerate(report["axes"], start=1):
        ambiguous = "\n".join(
            f"{a['where']} : « {a['as_written']} » lu {a['reading_usd']}" for a in axis["ambiguous"]
        )
        for col, value in enumerate(
            [axis["number"], axis["synthesis_usd"], axis["detail_usd"], axis["difference_usd"], ambiguous]
        ):
            sheet.write(i, col, value)
    sheet = book.add_worksheet("Engagements")
    columns = [
        "Bailleur",
        "Action",
        "Activité",
        "Date",
        "Montant",
        "Monnaie",
        "Taux (CDF/USD)",
        "Montant (USD)",
        "Document",
        "Décaissé (USD)",
        "Dépensé (USD)",
    ]
    for col, name in enumerate(columns):
        sheet.write(0, col, name, head)
    commitments = list(selectors.commitments(actor, plan))
    moved: dict = {}
    for t in (
        access.scoped(actor, selectors.FundingTransaction)
        .filter(commitment__in=commitments)
        .values("commitment_id", "kind", "amount_usd")
    ):
        moved[(t["commitment_id"], t["kind"])] = (
            moved.get((t["commitment_id"], t["kind"]), Decimal(0)) + t["amount_usd"]
        )
    for i, c in enumerate(commitments, start=1):
        values = [
            str(c.funder),
            c.action.code,
            c.activity.code if c.activity_id else "",
            c.date.isoformat(),
            float(c.amount_original),
            c.currency,
            float(c.exchange_rate.cdf_per_usd) if c.exchange_rate_id else "",
            float(c.amount_usd),
            c.document_ref,
            float(moved.get((c.pk, TransactionKind.DISBURSEMENT), 0)),
            float(moved.get((c.pk, TransactionKind.EXPENDITURE), 0)),
        ]
        for col, value in enumerate(values):
            sheet.write(i, col, value)
    book.close()
    return row - 1 + len(commitments)


IATI_STATUS = {
    ActivityStatus.NOT_STARTED: "1",
    ActivityStatus.ONGOING: "2",
    ActivityStatus.COMPLETED: "3",
    ActivityStatus.CANCELLED: "5",
}


def _narrative(parent, tag: str, text: str, **attrs):
    element = etree.SubElement(parent, tag, **attrs)
    etree.SubElement(element, "narrative").text = text
    return element


def iati_xml(actor: Actor, plan: Plan, stream) -> int:
    """One IATI activity per action of the plan: participating organisations, budget, commitments and
    disbursements/expenditures as transactions, results with indicators (baseline, target, actual)."""
    reporting_ref = settings.KINGA_IATI_REPORTING_ORG
    tree = selectors.plan_tree(actor, plan)
    start = selectors.plan_start_date()
    today = clock.today()
    indicator_rows = list(selectors.indicators(actor, plan))
    values = actuals(indicator_rows, start=start, end=today)
    commitments = list(selectors.commitments(actor, plan))
    transactions = list(
        access.scoped(actor, selectors.FundingTransaction)
        .filter(commitment__in=commitments)
        .select_related("commitment__funder")
        .order_by("date", "pk")
    )
    now = clock.now().replace(microsecond=0).isoformat()
    root = etree.Element("iati-activities", version="2.03", **{"generated-datetime": now})
    count = 0
    for axis_row in tree:
        for action_row in axis_row.actions:
            action = action_row.action
            activity_el = etree.SubElement(
                root,
                "iati-activity",
                **{
                    "last-updated-datetime": now,
                    "{http://www.w3.org/XML/1998/namespace}lang": "fr",
                    "default-currency": "USD",
                    "hierarchy": "1",
                },
            )
            etree.SubElement(
                activity_el, "iati-identifier"
            ).text = f"{reporting_ref}-{plan.code}-{axis_row.axis.number}-{action.number}"
            _narrative(activity_el, "reporting-org", "IDAK", ref=reporting_ref, type="80")
            _narrative(activity_el, "title", action.title)
            description = "; ".join(a.activity.title for a in action_row.activities)
            _narrative(activity_el, "description", f"{axis_row.axis.title} — {description}", type="1")
            seen = set()
            for role, parties in (("1", action_row.funding_sources), ("4", action_row.implementers)):
                for party in list(parties) + [
                    p
                    for a in action_row.activities
                    for p in (a.funding_sources if role == "1" else a.implementers)
                ]:
                    key = (role, party.organisation_id or party.category)
                    if key in seen:
                        continue
                    seen.add(key)
                    _narrative(activity_el, "participating-org", party.label, role=role)
            funders = {c.funder_id: c.funder for c in commitments if c.action_id == action.pk}
            for funder in funders.values():
                if ("1", funder.pk) not in seen:
                    seen.add(("1", funder.pk))
                    _narrative(activity_el, "participating-org", funder.name, role="1")
            if not seen:
                _narrative(activity_el, "participating-org", "IDAK", role="2", ref=reporting_ref)
            statuses = {a.activity.status for a in action_row.activities}
            status = (
                ActivityStatus.COMPLETED
                if statuses == {ActivityStatus.COMPLETED}
                else ActivityStatus.NOT_STARTED
                if statuses == {ActivityStatus.NOT_STARTED}
                else ActivityStatus.ONGOING
            )
            etree.SubElement(activity_el, "activity-status", code=IATI_STATUS[status])
            starts = [a.planned_start for a in action_row.activities if a.planned_start]
            ends = [a.planned_end for a in action_row.activities if a.planned_end]
            p_start = min(starts) if starts else start
            p_end = max(ends) if ends else selectors.add_months(start, 36) - datetime.timedelta(days=1)
            etree.SubElement(activity_el, "activity-date", type="1", **{"iso-date": p_start.isoformat()})
            etree.SubElement(activity_el, "activity-date", type="3", **{"iso-date": p_end.isoformat()})
            etree.SubElement(activity_el, "recipient-country", code="CD", percentage="100")
            if action_row.money.planned:
                budget = etree.SubElement(activity_el, "budget", type="1", status="1")
                etree.SubElement(budget, "period-start", **{"iso-date": p_start.isoformat()})
                # IATI budget periods are at most a year: one budget line over the whole plan is "original"
                # and indicative; the period end is capped at one year as the standard requires.
                capped = min(p_end, selectors.add_months(p_start, 12) - datetime.timedelta(days=1))
                etree.SubElement(budget, "period-end", **{"iso-date": capped.isoformat()})
                etree.SubElement(
                    budget, "value", currency="USD", **{"value-date": p_start.isoformat()}
                ).text = f"{action_row.money.planned:.2f}"
            for c in (c for c in commitments if c.action_id == action.pk):
                _transaction(activity_el, "2", c.date, c.amount_usd, c.funder.name, c.document_ref)
                count += 1
            for t in (t for t in transactions if t.commitment.action_id == action.pk):
                code = "3" if t.kind == TransactionKind.DISBURSEMENT else "4"
                _transaction(
                    activity_el, code, t.date, t.amount_usd, t.commitment.funder.name, t.document_ref
                )
                count += 1
            action_indicators = [i for i in indicator_rows if i.action_id == action.pk]
            if action_indicators:
                result = etree.SubElement(activity_el, "result", type="1", **{"aggregation-status": "0"})
                _narrative(
                    result,
                    "title",
                    "; ".join(action.expected_results or [action.title])[:500] or action.title,
                )
                for ind in action_indicators:
                    measure = "2" if ind.value_type == "percent" else "1"
                    el = etree.SubElement(result, "indicator", measure=measure, ascending="1")
                    _narrative(el, "title", f"{ind.label_fr} [{ind.code}]")
                    baseline_attrs = {"year": str(start.year), "iso-date": start.isoformat()}
                    if ind.baseline_value is not None:
                        baseline_attrs["value"] = f"{ind.baseline_value.normalize():f}"
                    etree.SubElement(el, "baseline", **baseline_attrs)
                    period = etree.SubElement(el, "period")
                    etree.SubElement(period, "period-start", **{"iso-date": start.isoformat()})
                    etree.SubElement(period, "period-end", **{"iso-date": p_end.isoformat()})
                    if ind.target is not None:
                        etree.SubElement(period, "target", value=f"{ind.target.normalize():f}")
                    actual = values[ind.pk]
                    if actual.value is not None:
                        etree.SubElement(period, "actual", value=f"{Decimal(actual.value).normalize():f}")
            count += 1
    stream.write(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
    return count


def _transaction(parent, code: str, date, amount, provider: str, reference: str) -> None:
    attrs = {"ref": reference[:100]} if reference else {}
    el = etree.SubElement(parent, "transaction", **attrs)
    etree.SubElement(el, "transaction-type", code=code)
    etree.SubElement(el, "transaction-date", **{"iso-date": date.isoformat()})
    etree.SubElement(el, "value", currency="USD", **{"value-date": date.isoformat()}).text = f"{amount:.2f}"
    _narrative(el, "provider-org", provider)
