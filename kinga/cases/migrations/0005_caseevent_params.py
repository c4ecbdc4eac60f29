"""The case timeline stores codes, not sentences (docs/style.md, "Stored text"): CaseEvent.summary, a sentence
translated in the writer's language when the event was written, becomes CaseEvent.params, the parameters that
kinga.cases.timeline.event_text turns into a sentence in the reader's language (0006 then drops summary: a
migration of its own, so that no table is altered in the transaction that rewrote its rows).

Each existing sentence is read back, in French then in English (the languages it may have been written in),
into the parameters it was made from. A sentence that cannot be read (the synthetic data's short French
lines, a kind this migration does not know) is kept whole as params["note"], which the timeline shows as it
is: nothing is lost. Backwards, the sentences are written again, in French.
"""

import json
import re

from django.db import migrations, models
from django.utils import translation
from django.utils.translation import gettext

from kinga.cases.models import (
    CarePlanItemStatus,
    ClosureReason,
    ConsentKind,
    IdentificationMethod,
    RelapseSource,
    RiskLevel,
    ServiceType,
)
from kinga.cases.timeline import event_text

# A placeholder of the old sentences -> (the parameter it fills, how its text is read back: str, int, or the
# choices whose label it shows).
PLACEHOLDERS = {
    "how": ("method", IdentificationMethod),
    "number": ("number", str),
    "name": ("name", str),
    "org": ("org", str),
    "type": ("service_type", ServiceType),
    "reason": ("reason", ClosureReason),
    "m": ("months", int),
    "source": ("source", RelapseSource),
    "total": ("total", int),
    "risk": ("risk", RiskLevel),
    "due": ("due", str),
    "status": ("status", CarePlanItemStatus),
}

# kind -> the sentences (msgids) its events were written with, and what the choice of sentence says.
SENTENCES = {
    "identified": [("Identified (%(how)s)", {})],
    "registered": [("Registered as %(number)s", {})],
    "assigned": [("Assigned to %(name)s", {})],
    "consent_withdrawn": [("Consent withdrawn", {})],
    "assessment": [("Assessed: score %(total)s/18, risk %(risk)s", {})],
    "plan_item": [("Care plan: support by %(org)s due %(due)s", {}), ("Care plan item: %(status)s", {})],
    "care_plan": [("Care plan submitted to the supervisor", {})],
    "care_plan_decision": [
        ("Care plan approved by the supervisor", {"approved": True}),
        ("Care plan returned by the supervisor", {"approved": False}),
    ],
    "referral": [("Referred to %(org)s (%(type)s)", {})],
    "referral_answer": [
        ("Referral accepted by %(org)s", {"accepted": True}),
        ("Referral declined by %(org)s", {"accepted": False}),
    ],
    "referral_done": [("Service delivered by %(org)s", {})],
    "referral_cancelled": [("Referral cancelled", {})],
    "closure_requested": [("Closure proposed: %(reason)s", {})],
    "closure_refused": [("Closure refused by the supervisor", {})],
    "closed": [("Closed: %(reason)s", {})],
    "retention_check": [
        ("Retention check at %(m)s months: child found working or at a mine site", {"working": True}),
        ("Retention check at %(m)s months: child out of the mines", {"working": False}),
    ],
    "relapse": [("Relapse: found working again (%(source)s)", {})],
    "reopened": [("Case reopened by the supervisor", {})],
}

# kind -> what may follow the sentence after " — ", and the flag it sets.
ADDITIONS = {
    "referral": ("without consent: emergency override", "emergency"),
    "closure_requested": ("exit rule overridden by the supervisor", "overridden"),
    "relapse": ("case reopened", "reopened"),
}

# A follow-up's sentence: its parts joined by ", ".
FOLLOW_UP_SEEN = [("Follow-up visit: child seen", True), ("Follow-up visit: child not seen", False)]
FOLLOW_UP_EDUCATION = [
    (None, None),
    ("attending school or training", True),
    ("not attending school or training", False),
]
FOLLOW_UP_WORKING = [(None, False), ("found working or at a mine site", True)]


def _labels(choices) -> dict[str, str]:
    return {str(label): code for code, label in choices.choices}


def _placeholder(match: re.Match) -> str:
    name = match.group(1)
    how = PLACEHOLDERS[name][1]
    if how is str:
        return f"(?P<{name}>.+)"
    if how is int:
        return rf"(?P<{name}>\d+)"
    labels = sorted(_labels(how), key=len, reverse=True)
    return f"(?P<{name}>{'|'.join(re.escape(label) for label in labels)})"


def _sentence(msgid: str, fixed: dict, text: str) -> dict | None:
    """The parameters of `text` if it is `msgid` in the active language, else None."""
    pattern = re.sub(r"%\\\((\w+)\\\)s", _placeholder, re.escape(gettext(msgid)))
    found = re.fullmatch(pattern, text)
    if found is None:
        return None
    params = dict(fixed)
    for placeholder, value in found.groupdict().items():
        name, how = PLACEHOLDERS[placeholder]
        params[name] = how(value) if how in (str, int) else _labels(how)[value]
    return params


def _follow_up(text: str) -> dict | None:
    for seen_text, seen in FOLLOW_UP_SEEN:
        for education_text, in_education in FOLLOW_UP_EDUCATION:
            for working_text, working in FOLLOW_UP_WORKING:
                parts = [gettext(t) for t in (seen_text, education_text, working_text) if t]
                if ", ".join(parts) == text:
                    return {"seen": seen, "in_education": in_education, "working": working}
    return None


def _read(kind: str, text: str) -> dict | None:
    if kind == "follow_up":
        return _follow_up(text)
    if kind == "consent":
        code = _labels(ConsentKind).get(text)
        return {"kind": code} if code else None
    flags = {}
    if kind in ADDITIONS:
        addition, flag = ADDITIONS[kind]
        suffix = " — " + gettext(addition)
        flags[flag] = text.endswith(suffix)
        text = text.removesuffix(suffix)
    for msgid, fixed in SENTENCES.get(kind, []):
        params = _sentence(msgid, fixed, text)
        if params is not None:
            return {**params, **flags}
    return None


def params_from_summary(kind: str, summary: str) -> dict:
    """The parameters an old timeline sentence was written from (French, else English), or the sentence kept
    whole as {"note": summary}."""
    for language in ("fr", "en"):
        with translation.override(language):
            params = _read(kind, summary)
        if params is not None:
            return params
    return {"note": summary}


def forward(apps, schema_editor):
    """Set-based: each distinct (kind, sentence) is read once in Python (a national database has 8 million
    events but about a million distinct sentences, nearly all "registered under number ..."), the parameters go
    into a temporary table, and one UPDATE ... FROM joins them back (row by row, the national table took hours)."""
    CaseEvent = apps.get_model("cases", "CaseEvent")
    connection = schema_editor.connection
    table = connection.ops.quote_name(CaseEvent._meta.db_table)
    pairs = CaseEvent.objects.values_list("kind", "summary").distinct().order_by()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE kinga_caseevent_params (kind text, summary text, params text)")
        insert = "INSERT INTO kinga_caseevent_params (kind, summary, params) VALUES (%s, %s, %s)"
        batch = []
        for kind, summary in pairs.iterator(chunk_size=10_000):
            batch.append((kind, summary, json.dumps(params_from_summary(kind, summary))))
            if len(batch) == 10_000:
                cursor.executemany(insert, batch)
                batch = []
        if batch:
            cursor.executemany(insert, batch)
        params = "CAST(p.params AS jsonb)" if connection.vendor == "postgresql" else "p.params"
        cursor.execute(
            f"UPDATE {table} SET params = {params} FROM kinga_caseevent_params p "
            f"WHERE {table}.kind = p.kind AND {table}.summary = p.summary"  # noqa: S608 (the model's own table name)
        )
        cursor.execute("DROP TABLE kinga_caseevent_params")


def backward(apps, schema_editor):
    CaseEvent = apps.get_model("cases", "CaseEvent")
    batch = []
    with translation.override("fr"):
        for event in CaseEvent.objects.only("id", "kind", "params").order_by("id").iterator(chunk_size=2000):
            event.summary = event_text(event.kind, event.params)[:255]
            batch.append(event)
            if len(batch) == 1000:
                CaseEvent.objects.bulk_update(batch, ["summary"])
                batch = []
        CaseEvent.objects.bulk_update(batch, ["summary"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="caseevent",
            name="params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(forward, backward),
    ]
