"""French as Kinga writes it: a date one way, dd/mm/yyyy, everywhere a page shows one (Django's French default,
"5 décembre 2026", and the short form side by side made two ways of writing the same day). Only what differs
from Django's French formats is here; the rest (decimal comma, input formats) is Django's."""

DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "d/m/Y H:i"
