"""Reading and validating a plan file (YAML): every error names the file and the line, nothing is half-read.

The result is a normalised, JSON-serialisable dict (`PlanSpec`): what `kinga plan load` applies to the
database and stores as the plan's baseline.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

DEFAULT_PLAN_FILE = "lualaba_2017.yaml"
KNOWN_MODULES = ("cases", "community", "sites", "households", "supply", "registry", "fund", "governance")
KNOWN_BREAKDOWNS = ("sex", "age_band", "territory")
VALUE_TYPES = ("integer", "decimal", "percent", "boolean")
LEVELS = ("output", "outcome")
TAG_KINDS = ("niveau", "smpe", "strategie_provinciale", "plan_national")
CELL_KEYS = ("objectifs", "resultats", "cibles", "periode", "cout", "sources", "intervenants", "corrections")
CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]{2,59}$")
# A regular amount: groups of three digits after the first, one separator kind (space, dot or comma).
_REGULAR_AMOUNT = re.compile(r"^\d{1,3}(?:(?P<sep>[ .,])\d{3})?(?:(?P=sep)\d{3})*$")
_CURRENCY_MARKS = re.compile(r"\$|\bUS\b|\bUs\b|\bUSD\b|US$|Us$", re.IGNORECASE)


def default_plan_path() -> Path:
    return Path(str(resources.files("kinga.plan") / "data" / DEFAULT_PLAN_FILE))


class PlanFileError(Exception):
    """An invalid plan file: `file:line: message`."""

    def __init__(self, file: str, line: int | None, message: str):
        self.file, self.line, self.message = file, line, message
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {message}")


class _Mapping(dict):
    line: int = 0


class _List(list):
    line: int = 0


class _LineLoader(yaml.SafeLoader):
    """A safe loader that remembers the line of every mapping and list, and refuses duplicate keys."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Mapping:
    seen: dict[Any, int] = {}
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first on line {seen[key]})", key_node.start_mark
            )
        seen[key] = key_node.start_mark.line + 1
    mapping = _Mapping(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    return mapping


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> _List:
    seq = _List(loader.construct_sequence(node, deep=True))
    seq.line = node.start_mark.line + 1
    return seq


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def parse_amount(text: str) -> int | None:
    """The value of a regular amount as written ("1.500.000$US" → 1500000); None when irregular."""
    core = _CURRENCY_MARKS.sub("", text or "").strip()
    if not _REGULAR_AMOUNT.match(core):
        return None
    return int(re.sub(r"\D", "", core))


@dataclass
class _Ctx:
    file: str

    def fail(self, node: Any, message: str) -> PlanFileError:
        return PlanFileError(self.file, getattr(node, "line", None), message)


def _line(node: Any, parent: Any = None) -> int | None:
    return getattr(node, "line", None) or getattr(parent, "line", None)


def _require(ctx: _Ctx, mapping: Any, key: str, kind: type | tuple, what: str) -> Any:
    if not isinstance(mapping, dict):
        raise ctx.fail(mapping, f"{what}: a mapping is expected")
    if key not in mapping:
        raise ctx.fail(mapping, f"{what}: « {key} » is missing")
    value = mapping[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ctx.fail(mapping, f"{what}: « {key} » has the wrong type ({type(value).__name__})")
    return value


def _optional_str(ctx: _Ctx, mapping: dict, key: str, what: str) -> str:
    value = mapping.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ctx.fail(mapping, f"{what}: « {key} » must be text")
    return value.strip()


def _str_list(ctx: _Ctx, mapping: dict, key: str, what: str) -> list[str]:
    value = mapping.get(key, [])
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ctx.fail(
            value if isinstance(value, list) else mapping, f"{what}: « {key} » must be a list of texts"
        )
    return [v.strip() for v in value]


def _amount(ctx: _Ctx, node: Any, what: str) -> dict:
    if not isinstance(node, dict):
        raise ctx.fail(node, f"{what}: the amount must be a mapping with « ecrit » and « usd »")
    written = _require(ctx, node, "ecrit", str, what).strip()
    unknown = set(node) - {"ecrit", "usd", "ambigu", "lecture_usd", "note"}
    if unknown:
        raise ctx.fail(node, f"{what}: unknown key(s) {', '.join(sorted(unknown))} in the amount")
    if node.get("ambigu"):
        reading = node.get("lecture_usd")
        if not isinstance(reading, int) or isinstance(reading, bool) or reading < 0:
            raise ctx.fail(
                node,
                f"{what}: bad amount — an ambiguous amount needs its reading « lecture_usd » (a whole number of USD ≥ 0)",
            )
        if "usd" in node:
            raise ctx.fail(node, f"{what}: an ambiguous amount gives « lecture_usd », not « usd »")
        note = _optional_str(ctx, node, "note", what)
        if not note:
            raise ctx.fail(node, f"{what}: an ambiguous amount needs a « note » explaining its reading")
        return {"as_written": written, "usd": reading, "ambiguous": True, "note": note}
    usd = node.get("usd")
    if not isinstance(usd, int) or isinstance(usd, bool) or usd < 0:
        raise ctx.fail(node, f"{what}: bad amount — « usd » must be a whole number of USD ≥ 0 (got {usd!r})")
    parsed = parse_amount(written)
    if parsed is None:
        raise ctx.fail(
            node,
            f"{what}: bad amount — « {written} » is irregular as written: store it with « ambigu: true », "
            "« lecture_usd » and a « note »",
        )
    if parsed != usd:
        raise ctx.fail(node, f"{what}: bad amount — « {written} » reads {parsed}, not {usd}")
    return {
        "as_written": written,
        "usd": usd,
        "ambiguous": False,
        "note": _optional_str(ctx, node, "note", what),
    }


def _period(ctx: _Ctx, node: Any, what: str) -> dict:
    if not isinstance(node, dict):
        raise ctx.fail(node, f"{what}: the period must be a mapping with « ecrit » and « mois »")
    written = _require(ctx, node, "ecrit", str, what).strip()
    months = node.get("mois")
    if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= 120:
        raise ctx.fail(node, f"{what}: « mois » must be a whole number of months between 1 and 120")
    ambiguous = bool(node.get("ambigu", False))
    note = _optional_str(ctx, node, "note", what)
    if ambiguous and not note:
        raise ctx.fail(node, f"{what}: an ambiguous period needs a « note »")
    return {"as_written": written, "months": months, "ambiguous": ambiguous, "note": note}


def _parties(ctx: _Ctx, node: Any, categories: set[str], what: str) -> list[dict]:
    if node is None:
        return []
    if not isinstance(node, list):
        raise ctx.fail(node, f"{what}: a list is expected")
    result = []
    for item in node:
        if not isinstance(item, dict):
            raise ctx.fail(node, f"{what}: each entry is {{org: ...}} or {{categorie: ...}}")
        has_org, has_cat = "org" in item, "categorie" in item
        if has_org == has_cat:
            raise ctx.fail(item, f"{what}: give either « org » or « categorie »")
        written = _optional_str(ctx, item, "ecrit", what)
        if has_org:
            org = item["org"]
            if not isinstance(org, str) or not org.strip():
                raise ctx.fail(item, f"{what}: « org » must name an organisation")
            result.append({"org": org.strip(), "as_written": written or org.strip(), "line": item.line})
        else:
            cat = item["categorie"]
            if cat not in categories:
                raise ctx.fail(
                    item, f"{what}: unknown category « {cat} » (known: {', '.join(sorted(categories))})"
                )
            result.append({"category": cat, "as_written": written or cat, "line": item.line})
    return result


def _cells(ctx: _Ctx, node: dict, categories: set[str], what: str) -> dict:
    return {
        "objectives": _str_list(ctx, node, "objectifs", what),
        "expected_results": _str_list(ctx, node, "resultats", what),
        "targets_text": _optional_str(ctx, node, "cibles", what),
        "period": _period(ctx, node["periode"], what) if node.get("periode") is not None else None,
        "cost": _amount(ctx, node["cout"], what) if node.get("cout") is not None else None,
        "funding_sources": _parties(ctx, node.get("sources"), categories, f"{what}, sources"),
        "implementers": _parties(ctx, node.get("intervenants"), categories, f"{what}, intervenants"),
        "corrections": _str_list(ctx, node, "corrections", what),
    }


def _number(ctx: _Ctx, value: Any, node: Any, what: str) -> tuple[int, str]:
    label = str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
    if not re.fullmatch(r"\d{1,2}", label) or int(label) == 0:
        raise ctx.fail(node, f"{what}: « numero » must be a number (got {value!r})")
    return int(label), label


def _indicator(ctx: _Ctx, node: Any, what: str) -> dict:
    if not isinstance(node, dict):
        raise ctx.fail(node, f"{what}: an indicator is a mapping")
    code = _require(ctx, node, "code", str, what)
    if not CODE_RE.match(code):
        raise ctx.fail(node, f"{what}: indicator code « {code} » must be UPPER_CASE_WITH_UNDERSCORES")
    iw = f"{what}, indicator {code}"
    level = node.get("niveau")
    if level not in LEVELS:
        raise ctx.fail(node, f"{iw}: « niveau » must be one of {', '.join(LEVELS)}")
    value_type = node.get("type")
    if value_type not in VALUE_TYPES:
        raise ctx.fail(node, f"{iw}: « type » must be one of {', '.join(VALUE_TYPES)}")
    source = node.get("source")
    module = _optional_str(ctx, node, "module", iw)
    if source == "manual":
        if module or not code.startswith("PLAN_"):
            raise ctx.fail(node, f"{iw}: a manual indicator has no module and its code starts with PLAN_")
    elif source == "computed":
        if module not in KNOWN_MODULES:
            raise ctx.fail(node, f"{iw}: « module » must be one of {', '.join(KNOWN_MODULES)}")
        if not code.startswith(module.upper() + "_"):
            raise ctx.fail(
                node, f"{iw}: the code of an indicator computed by {module} starts with {module.upper()}_"
            )
    else:
        raise ctx.fail(node, f"{iw}: « source » must be manual or computed")
    breakdowns = node.get("ventilations", [])
    if not isinstance(breakdowns, list) or not set(breakdowns) <= set(KNOWN_BREAKDOWNS):
        raise ctx.fail(node, f"{iw}: « ventilations » must list some of {', '.join(KNOWN_BREAKDOWNS)}")
    target = node.get("cible")
    if target is not None and (not isinstance(target, int | float) or isinstance(target, bool) or target < 0):
        raise ctx.fail(node, f"{iw}: « cible » must be a number ≥ 0")
    if value_type == "percent" and target is not None and target > 100:
        raise ctx.fail(node, f"{iw}: a percentage target cannot exceed 100")
    baseline = node.get("base")
    if baseline is not None and (not isinstance(baseline, int | float) or isinstance(baseline, bool)):
        raise ctx.fail(node, f"{iw}: « base » must be a number")
    label = _require(ctx, node, "libelle", str, iw).strip()
    return {
        "code": code,
        "label_fr": label,
        "label_en": _optional_str(ctx, node, "libelle_en", iw),
        "label_as_written": _optional_str(ctx, node, "ecrit", iw) or label,
        "level": level,
        "unit": _optional_str(ctx, node, "unite", iw),
        "value_type": value_type,
        "target": target,
        "baseline_value": baseline,
        "source": source,
        "module": module,
        "breakdowns": list(breakdowns),
        "note": _optional_str(ctx, node, "note", iw),
        "line": node.line,
    }


def _indicator_entries(ctx: _Ctx, node: Any, what: str) -> tuple[list[dict], list[dict]]:
    """Definitions, and references ({ref: CODE}) to indicators defined elsewhere in the file."""
    if node is None:
        return [], []
    if not isinstance(node, list):
        raise ctx.fail(node, f"{what}: « indicateurs » must be a list")
    definitions, refs = [], []
    for item in node:
        if isinstance(item, dict) and "ref" in item:
            refs.append({"ref": item["ref"], "line": item.line})
        else:
            definitions.append(_indicator(ctx, item, what))
    return definitions, refs


def read_plan_file(path: str | Path) -> tuple[dict, str]:
    """The normalised plan of a file and the file's SHA-256. Raises PlanFileError naming the line."""
    path = Path(path)
    name = str(path)
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        raise PlanFileError(name, None, f"cannot read the file ({exc.strerror})") from None
    digest = hashlib.sha256(raw_bytes).hexdigest()
    try:
        text = raw_bytes.decode("utf-8")
    except UnicodeDecodeError:
        raise PlanFileError(name, None, "the file is not UTF-8 text") from None
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 — _LineLoader is a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise PlanFileError(name, mark.line + 1 if mark else None, f"invalid YAML: {problem}") from None
    return validate(data, name), digest


def validate(data: Any, file: str = "<plan>") -> dict:
    ctx = _Ctx(file)
    if not isinstance(data, dict):
        raise PlanFileError(file, None, "the file must be a YAML mapping (format, plan, tags, axes...)")
    if data.get("format") != 1:
        raise ctx.fail(data, "« format: 1 » is expected")
    plan = data.get("plan")
    code = _require(ctx, plan, "code", str, "plan")
    if not re.fullmatch(r"[a-z0-9-]{3,60}", code):
        raise ctx.fail(plan, "plan: « code » must be lower-case letters, digits and dashes")
    categories = data.get("categories") or []
    if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
        raise ctx.fail(data, "« categories » must be a list of texts")
    category_set = set(categories)

    tags: list[dict] = []
    tag_codes: set[str] = set()
    for node in data.get("tags") or []:
        tag_code = _require(ctx, node, "code", str, "tag")
        if tag_code in tag_codes:
            raise ctx.fail(node, f"tag {tag_code}: defined twice")
        if node.get("type") not in TAG_KINDS:
            raise ctx.fail(node, f"tag {tag_code}: « type » must be one of {', '.join(TAG_KINDS)}")
        tag_codes.add(tag_code)
        tags.append(
            {
                "code": tag_code,
                "kind": node["type"],
                "label_fr": _require(ctx, node, "libelle", str, f"tag {tag_code}"),
                "label_en": _optional_str(ctx, node, "libelle_en", f"tag {tag_code}"),
            }
        )

    def tag_list(node: dict, what: str) -> list[str]:
        values = node.get("tags") or []
        for value in values:
            if value not in tag_codes:
                raise ctx.fail(node, f"{what}: unknown tag « {value} »")
        return list(values)

    axes_node = data.get("axes")
    if not isinstance(axes_node, list) or not axes_node:
        raise ctx.fail(data, "« axes » must list the plan's axes")
    axes: list[dict] = []
    indicators: dict[str, dict] = {}
    refs: list[tuple[dict, dict, str]] = []
    for axis_node in axes_node:
        number, _label = _number(ctx, _require(ctx, axis_node, "numero", int, "axis"), axis_node, "axis")
        what = f"axe {number}"
        if any(a["number"] == number for a in axes):
            raise ctx.fail(axis_node, f"{what}: duplicate axis number")
        actions: list[dict] = []
        for action_node in _require(ctx, axis_node, "actions", list, what):
            a_number, a_label = _number(
                ctx, _require(ctx, action_node, "numero", (str, int), what), action_node, what
            )
            a_what = f"{what}, action {a_label}"
            if any(a["number"] == a_number for a in actions):
                raise ctx.fail(action_node, f"{a_what}: duplicate action number in this axis")
            unknown = set(action_node) - {"numero", "titre", "tags", "activites", "indicateurs", *CELL_KEYS}
            if unknown:
                raise ctx.fail(action_node, f"{a_what}: unknown key(s) {', '.join(sorted(unknown))}")
            action = {
                "number": a_number,
                "number_label": a_label,
                "title": _require(ctx, action_node, "titre", str, a_what).strip(),
                "tags": tag_list(action_node, a_what),
                **_cells(ctx, action_node, category_set, a_what),
                "activities": [],
                "indicators": [],
                "line": action_node.line,
            }
            defs, action_refs = _indicator_entries(ctx, action_node.get("indicateurs"), a_what)
            action["indicators"] = [d["code"] for d in defs]
            for d in defs:
                if d["code"] in indicators:
                    raise PlanFileError(file, d["line"], f"indicator {d['code']}: defined twice")
                indicators[d["code"]] = {**d, "axis": number, "action": a_number, "activities": []}
            if action_refs:
                raise ctx.fail(action_node, f"{a_what}: references ({{ref: ...}}) belong to activities")
            activities_node = _require(ctx, action_node, "activites", list, a_what)
            if not activities_node:
                raise ctx.fail(action_node, f"{a_what}: an action needs at least one activity")
            for position, act_node in enumerate(activities_node, start=1):
                act_what = f"{a_what}, activité {position}"
                unknown = set(act_node) - {"titre", "indicateurs", *CELL_KEYS}
                if unknown:
                    raise ctx.fail(act_node, f"{act_what}: unknown key(s) {', '.join(sorted(unknown))}")
                activity = {
                    "position": position,
                    "title": _require(ctx, act_node, "titre", str, act_what).strip(),
                    **_cells(ctx, act_node, category_set, act_what),
                    "indicators": [],
                    "line": act_node.line,
                }
                defs, act_refs = _indicator_entries(ctx, act_node.get("indicateurs"), act_what)
                for d in defs:
                    if d["code"] in indicators:
                        raise PlanFileError(file, d["line"], f"indicator {d['code']}: defined twice")
                    indicators[d["code"]] = {
                        **d,
                        "axis": number,
                        "action": a_number,
                        "activities": [position],
                    }
                    activity["indicators"].append(d["code"])
                for ref in act_refs:
                    refs.append((ref, activity, act_what))
                    ref["_axis_action"] = (number, a_number)
                action["activities"].append(activity)
            if action["cost"] and any(act["cost"] for act in action["activities"]):
                raise ctx.fail(
                    action_node,
                    f"{a_what}: an amount for the whole action and amounts per activity would be counted twice",
                )
            actions.append(action)
        if not actions:
            raise ctx.fail(axis_node, f"{what}: an axis needs at least one action")
        axes.append(
            {
                "number": number,
                "title": _require(ctx, axis_node, "titre", str, what).strip(),
                "title_as_written": _optional_str(ctx, axis_node, "titre_ecrit", what),
                "tags": tag_list(axis_node, what),
                "actions": actions,
                "line": axis_node.line,
            }
        )
    for ref, activity, act_what in refs:
        target = indicators.get(ref["ref"])
        if target is None:
            raise PlanFileError(file, ref["line"], f"{act_what}: unknown indicator « {ref['ref']} »")
        if (target["axis"], target["action"]) != ref["_axis_action"]:
            raise PlanFileError(
                file, ref["line"], f"{act_what}: indicator {ref['ref']} belongs to another action"
            )
        target["activities"].append(activity["position"])
        activity["indicators"].append(ref["ref"])

    synthesis_node = data.get("synthese_budgetaire")
    lines_node = _require(ctx, synthesis_node, "lignes", list, "synthese_budgetaire")
    axis_numbers = {a["number"] for a in axes}
    synthesis_lines = []
    for line_node in lines_node:
        axis_number = _require(ctx, line_node, "axe", int, "synthese_budgetaire")
        if axis_number not in axis_numbers:
            raise ctx.fail(line_node, f"synthese_budgetaire: unknown axis {axis_number}")
        if any(s["axis"] == axis_number for s in synthesis_lines):
            raise ctx.fail(line_node, f"synthese_budgetaire: axis {axis_number} has two lines")
        s_what = f"synthese_budgetaire, axe {axis_number}"
        synthesis_lines.append(
            {
                "axis": axis_number,
                "number": str(_require(ctx, line_node, "numero", (str, int), s_what)),
                "designation": _require(ctx, line_node, "designation", str, s_what).strip(),
                "cost": _amount(ctx, line_node.get("cout"), s_what),
                "funding_sources": _parties(
                    ctx, line_node.get("sources"), category_set, f"{s_what}, sources"
                ),
                "note": _optional_str(ctx, line_node, "note", s_what),
                "line": line_node.line,
            }
        )
    missing = axis_numbers - {s["axis"] for s in synthesis_lines}
    if missing:
        raise ctx.fail(
            lines_node, f"synthese_budgetaire: no line for axis {', '.join(map(str, sorted(missing)))}"
        )
    total = _amount(ctx, synthesis_node.get("total"), "synthese_budgetaire, total")
    stated = sum(s["cost"]["usd"] for s in synthesis_lines)
    if total["usd"] != stated:
        raise ctx.fail(
            synthesis_node,
            f"synthese_budgetaire: the total {total['usd']} is not the sum of the lines ({stated})",
        )
    return {
        "code": code,
        "title": _require(ctx, plan, "titre", str, "plan").strip(),
        "author": _optional_str(ctx, plan, "auteur", "plan"),
        "year": plan.get("annee"),
        "currency": _optional_str(ctx, plan, "monnaie", "plan") or "USD",
        "source": _optional_str(ctx, plan, "source", "plan"),
        "categories": categories,
        "tags": tags,
        "axes": axes,
        "indicators": indicators,
        "synthesis": {
            "title": _optional_str(ctx, synthesis_node, "titre", "synthese_budgetaire"),
            "lines": synthesis_lines,
            "total": total,
        },
    }


def strip_lines(value: Any) -> Any:
    """The spec without source line numbers: what is compared between two loads and stored as the baseline."""
    if isinstance(value, dict):
        return {k: strip_lines(v) for k, v in value.items() if k not in ("line", "_axis_action")}
    if isinstance(value, list):
        return [strip_lines(v) for v in value]
    return value
