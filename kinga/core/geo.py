"""Coordinates as every app checks them (places, sites, households, imports): decimal degrees, WGS 84."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

LATITUDE_RANGE = (Decimal(-90), Decimal(90))
LONGITUDE_RANGE = (Decimal(-180), Decimal(180))


def _degrees(value, field: str, errors: dict[str, list[str]]) -> Decimal | None:
    try:
        # A French decimal comma ("-10,71") is how people type it on a phone or in a spreadsheet.
        result = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        result = None
    if result is None or not result.is_finite():
        errors.setdefault(field, []).append(_("Enter a number."))
        return None
    return result


def check_coordinates(latitude, longitude) -> tuple[Decimal | None, Decimal | None]:
    """Both or neither, each a number in its range: (latitude, longitude) as Decimals, or (None, None).

    Accepts numbers and text ("" and None are "not given"). Raises one ValidationError naming the fields
    ({"latitude": [...], "longitude": [...]}), the shape services, forms and the API all show field by field.
    """
    missing_lat, missing_lon = latitude in (None, ""), longitude in (None, "")
    if missing_lat and missing_lon:
        return None, None
    if missing_lat != missing_lon:
        raise ValidationError({"latitude": [_("Give both latitude and longitude, or neither.")]})
    errors: dict[str, list[str]] = {}
    lat = _degrees(latitude, "latitude", errors)
    lon = _degrees(longitude, "longitude", errors)
    if lat is not None and not LATITUDE_RANGE[0] <= lat <= LATITUDE_RANGE[1]:
        errors.setdefault("latitude", []).append(_("Latitude must be between -90 and 90."))
    if lon is not None and not LONGITUDE_RANGE[0] <= lon <= LONGITUDE_RANGE[1]:
        errors.setdefault("longitude", []).append(_("Longitude must be between -180 and 180."))
    if errors:
        raise ValidationError(errors)
    return lat, lon
