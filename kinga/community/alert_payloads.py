"""Reading an alert's payload: Kinga's JSON, field-form names (filles_5_11…) and KoboToolbox submissions,
into the alert's fields; the reasons it cannot be read, field by field."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from kinga.community.models.alerts import DAY_ONLY_TIME
from kinga.core import clock
from kinga.core.models import Place, PlaceLevel
from kinga.core.people import AgeBand, age_band
from kinga.sites.models import Site

from .models import (
    Activity,
    Sex,
    Urgency,
)

MAX_CHILDREN_PER_ALERT = 500
MAX_TEXT = 2000


@dataclass
class ChildrenCount:
    sex: str
    age_band: str
    count: int


# ---------------------------------------------------------------------------------------------- parsing

_SEX_WORDS = {
    "f": Sex.FEMALE,
    "girl": Sex.FEMALE,
    "girls": Sex.FEMALE,
    "fille": Sex.FEMALE,
    "filles": Sex.FEMALE,
    "m": Sex.MALE,
    "boy": Sex.MALE,
    "boys": Sex.MALE,
    "garcon": Sex.MALE,
    "garcons": Sex.MALE,
    "garçon": Sex.MALE,
    "garçons": Sex.MALE,
}
# Field-form columns such as "filles_5_11", "garcons_12_14", "girls_15_17", "enfants_inconnu".
_COUNT_FIELD = re.compile(r"^(filles|garcons|garçons|girls|boys|enfants|children)(?:_(\d+)_(\d+))?$")


def _last_segment(key: str) -> str:
    return key.rsplit("/", 1)[-1].strip().lower()


def _flatten(payload: dict[str, Any]) -> dict[str, Any]:
    """Kobo/ODK group paths ("alerte/site") reduced to their last segment; Kinga keys unchanged."""
    flat: dict[str, Any] = {}
    for key, value in payload.items():
        if not isinstance(key, str):
            continue
        flat.setdefault(_last_segment(key), value)
    return flat


def _int(value: Any, field: str) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({field: [_("Enter a whole number.")]}) from None
    if number < 0 or number > MAX_CHILDREN_PER_ALERT:
        raise ValidationError(
            {field: [_("Enter a number between 0 and %(max)d.") % {"max": MAX_CHILDREN_PER_ALERT}]}
        )
    return number


def _children_from(flat: dict[str, Any]) -> list[ChildrenCount]:
    groups: dict[tuple[str, str], int] = {}

    def add(sex: str, band: str, n: int) -> None:
        if n:
            groups[(sex, band)] = groups.get((sex, band), 0) + n

    listed = flat.get("children")
    if isinstance(listed, list):
        for i, row in enumerate(listed):
            if not isinstance(row, dict):
                raise ValidationError({"children": [_("Each entry must be an object.")]})
            sex = str(row.get("sex", "") or "").strip()
            band = str(row.get("age_band", "") or "").strip()
            if sex not in Sex.values:
                raise ValidationError({"children": [_("Entry %(n)d: unknown sex.") % {"n": i + 1}]})
            if band not in AgeBand.values:
                raise ValidationError({"children": [_("Entry %(n)d: unknown age band.") % {"n": i + 1}]})
            add(sex, band, _int(row.get("count"), "children"))
    for key, value in flat.items():
        match = _COUNT_FIELD.match(key)
        if not match or value in (None, "") or key == "children":
            continue
        word, low, high = match.groups()
        sex = _SEX_WORDS.get(word, Sex.UNKNOWN)
        band = f"{int(low)}-{int(high)}" if low is not None else ""
        if band not in AgeBand.values:
            raise ValidationError({key: [_("Unknown age band.")]})
        add(sex, band, _int(value, key))
    # A registration-style form with one child's age (the Kobo reference form): one child of that age.
    if not groups and flat.get("child_age") not in (None, ""):
        band = age_band(_int(flat["child_age"], "child_age"))
        add(Sex.UNKNOWN, band if band in AgeBand.values else "", 1)
        for sibling in flat.get("siblings") or []:
            if isinstance(sibling, dict):
                sib = _flatten(sibling)
                if sib.get("sib_age") not in (None, ""):
                    sband = age_band(_int(sib["sib_age"], "siblings"))
                    add(Sex.UNKNOWN, sband if sband in AgeBand.values else "", 1)
    total = sum(groups.values())
    if total == 0:
        raise ValidationError({"children": [_("Say how many children were seen (at least one).")]})
    if total > MAX_CHILDREN_PER_ALERT:
        raise ValidationError({"children": [_("Too many children for one alert.")]})
    return [ChildrenCount(sex, band, n) for (sex, band), n in sorted(groups.items())]


def _site_from(flat: dict[str, Any]) -> Site | None:
    ref = str(flat.get("site") or flat.get("site_code") or flat.get("site_uuid") or "").strip()
    if ref:
        site = Site.objects.filter(code__iexact=ref).first()
        if site is None and re.fullmatch(r"[0-9a-fA-F-]{32,36}", ref):
            site = Site.objects.filter(uuid=ref).first()
        if site is None:
            raise ValidationError({"site": [_("Unknown mine site “%(ref)s”.") % {"ref": ref[:60]}]})
        return site
    return None


def _nearest_site(flat: dict[str, Any]) -> Site | None:
    """A field form's GPS point within about 2 km of a known site."""
    point = flat.get("_geolocation") or flat.get("gps")
    try:
        if isinstance(point, str):
            lat, lon = (float(x) for x in point.split()[:2])
        elif isinstance(point, list | tuple) and len(point) >= 2:
            lat, lon = float(point[0]), float(point[1])
        else:
            return None
    except (TypeError, ValueError):
        return None
    box = 0.02  # ~2 km at this latitude
    candidates = Site.objects.filter(
        latitude__range=(lat - box, lat + box), longitude__range=(lon - box, lon + box)
    ).only("id", "latitude", "longitude", "place_id")
    best = min(
        candidates,
        key=lambda s: (float(s.latitude) - lat) ** 2 + (float(s.longitude) - lon) ** 2,
        default=None,
    )
    return best


def _place_from(flat: dict[str, Any]) -> Place | None:
    ref = str(
        flat.get("place") or flat.get("lieu") or flat.get("pcode") or flat.get("place_uuid") or ""
    ).strip()
    if ref:
        place = Place.objects.filter(pcode__iexact=ref).first()
        if place is None and re.fullmatch(r"[0-9a-fA-F-]{32,36}", ref):
            place = Place.objects.filter(uuid=ref).first()
        if place is None:
            raise ValidationError({"place": [_("Unknown place “%(ref)s”.") % {"ref": ref[:60]}]})
        return place
    # Field forms often carry the territory's name.
    name = str(flat.get("territoire") or flat.get("territory") or "").strip()
    if name:
        return Place.objects.filter(name__iexact=name, level=PlaceLevel.TERRITORY).first()
    return None


def _choice(value: Any, choices: type, field: str, default: str) -> str:
    text = str(value or "").strip().lower()
    if not text:
        return default
    if text not in choices.values:
        raise ValidationError({field: [_("Unknown value “%(value)s”.") % {"value": text[:40]}]})
    return text


def _when(value: Any) -> datetime.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        text = str(value).strip()
        # A day alone ("2026-03-01") is not midnight: parse_datetime would read it so (Python's fromisoformat).
        day_only = parse_date(text) if len(text) == 10 else None
        moment = None if day_only else parse_datetime(text)
        if moment is None:
            day = day_only or parse_date(text)
            if day is None:
                raise ValidationError({"observed_at": [_("Enter a valid date and time.")]})
            # A day without a time is in the future only after today: « today » said at 8 o'clock is stored at
            # the day's noon (which is not shown), not refused.
            if day > clock.today():
                raise ValidationError({"observed_at": [_("The date cannot be in the future.")]})
            return timezone.make_aware(datetime.datetime.combine(day, DAY_ONLY_TIME))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > clock.now() + datetime.timedelta(hours=1):
        raise ValidationError({"observed_at": [_("The date cannot be in the future.")]})
    return moment


def bounded_text(value: Any, field: str, limit: int = MAX_TEXT) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        raise ValidationError({field: [_("Too long (%(max)d characters at most).") % {"max": limit}]})
    return text


def interpret(payload: dict[str, Any]) -> dict[str, Any]:
    """What a submission says, in Kinga's terms, or a ValidationError saying what is wrong with it."""
    if not isinstance(payload, dict):
        raise ValidationError({"non_field_errors": [_("The submission must be a JSON object.")]})
    flat = _flatten(payload)
    site = _site_from(flat)
    if site is None and not flat.get("place") and not flat.get("lieu"):
        site = _nearest_site(flat)
    place = _place_from(flat)
    if site is None and place is None:
        raise ValidationError({"site": [_("Say where: a mine site or a place.")]})
    observed = flat.get("observed_at") or flat.get("date_observation") or flat.get("start")
    return {
        "site": site,
        "place": place or (site.place if site else None),
        "location_text": bounded_text(
            flat.get("location_text") or flat.get("precision"), "location_text", 300
        ),
        "observed_at": _when(observed),
        "children": _children_from(flat),
        "activity": _choice(flat.get("activity") or flat.get("activite"), Activity, "activity", ""),
        "urgency": _choice(flat.get("urgency") or flat.get("urgence"), Urgency, "urgency", Urgency.NORMAL),
        "description": bounded_text(flat.get("description"), "description"),
    }
