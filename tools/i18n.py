"""French catalogues of every app, Kiswahili for the public pages: `update` extracts the strings, `check` fails on
anything untranslated.

Source strings (msgids) are English; French is the default language of the UI, so every msgid needs a
French msgstr. Each app keeps its own catalogue in kinga/<app>/locale/fr/LC_MESSAGES/django.po.
Kiswahili covers what a community member sees: the msgids of the templates and Python names listed in PUBLIC
below (kinga/<app>/locale/sw/LC_MESSAGES/django.po holds exactly those, each needs a Kiswahili msgstr).
Usage: python tools/i18n.py update|check|compile
"""

import ast
import functools
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import django
import polib
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
APPS = sorted(p.parent for p in (ROOT / "kinga").glob("*/apps.py"))


# What a community member sees, in Kiswahili: per app, templates (relative to the app) and Python names
# (module relative to the app -> classes/functions whose gettext calls are shown on the public pages).
PUBLIC = {
    "community": {
        "templates": [
            "templates/community/public_base.html",
            "templates/community/public_alert.html",
            "templates/community/_children_grid.html",
            "templates/community/public_thanks.html",
            "templates/community/public_followup.html",
            # The focal point's alert form.
            "templates/community/alert_form.html",
            # The focal point's networks and their alerts (the home panel's "See my networks").
            "templates/community/_nav.html",
            "templates/community/networks.html",
            "templates/community/network.html",
            # The awareness sessions a focal point records: the list, the form, the session.
            "templates/community/sessions.html",
            "templates/community/session_form.html",
            "templates/community/session.html",
        ],
        "python": {
            "forms.py": [
                "ChildrenCountsMixin",
                "_add_count_fields",
                "PublicAlertForm",
                "SiteField",
                "AlertForm",
                "_places",
                "SessionForm",
            ],
            "models/alerts.py": ["Urgency", "Activity", "AlertStatus"],
            "models/awareness.py": ["Theme", "Audience", "SessionKind"],
            "views_activities.py": ["sessions", "session_add", "session_detail"],
            "services/awareness.py": ["_participations", "record_session"],
            "models/networks.py": ["AreaKind", "MemberRole"],
            "selectors.py": ["feedback_for"],
            "views.py": ["public_alert", "public_followup", "alert_add", "networks", "network_detail"],
            # The focal point's home panel and menu.
            "home.py": ["network_alerts", "_outcome"],
            "wiring.py": ["wire"],
        },
    },
    # The layout, the home page, the form pages, the roles' names and the menu of a focal point.
    "core": {
        "templates": [
            "templates/base.html",
            "templates/core/home.html",
            "templates/core/home_panel.html",
            "templates/core/form_page.html",
            "templates/core/_form.html",
            # The searchable picker of the focal point's alert form (its place).
            "templates/core/widgets/picker.html",
            "templates/core/_picker_results.html",
            "templates/core/_pager.html",
        ],
        "python": {
            "forms.py": ["form_page"],
            "roles.py": ["Role"],
            "wiring.py": ["wire"],
            "people.py": ["Sex"],
        },
    },
    # What a session's page and form say of its attribution to the plan.
    "plan": {
        "templates": ["templates/plan/_attribution_facts.html"],
        "python": {"wiring.py": ["wire"], "attribution.py": ["check", "AttributionFields"]},
    },
    "sites": {"templates": [], "python": {"wiring.py": ["wire"]}},
    # The SMS replies to a coded alert, every notification (a person may choose Kiswahili), the notification page.
    "messaging": {
        "templates": ["templates/messaging/preferences.html"],
        "python": {
            "services/inbound.py": ["_example", "_answer", "_follow_up"],
            "texts.py": ["_alert_urgent", "_case_assigned", "_referral_overdue", "_alert_outcome", "labels"],
            "forms.py": ["PreferencesForm"],
            "views.py": ["preferences"],
            "wiring.py": ["wire"],
            "models.py": ["Channel", "MessageStatus"],
        },
    },
}
GETTEXT = {"_", "gettext", "gettext_lazy", "gettext_noop"}
PLURAL_GETTEXT = {"ngettext", "ngettext_lazy"}
OTHER_GETTEXT = {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}
# msgid → msgid_plural of the plural strings met while reading PUBLIC (their Kiswahili entry has both forms).
PLURALS: dict[str, str] = {}


def catalogue(app: Path, language: str = "fr") -> Path:
    return app / "locale" / language / "LC_MESSAGES" / "django.po"


def _python_msgids(module: Path, names: list[str]) -> set[str]:
    """The msgids of the gettext calls inside the named top-level classes and functions of a module."""
    tree = ast.parse(module.read_text())
    found = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef | ast.FunctionDef)}
    msgids = set()
    for name in names:
        if name not in found:
            raise SystemExit(f"tools/i18n.py PUBLIC: {module} has no top-level {name}")
        for node in ast.walk(found[name]):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                if node.func.id in OTHER_GETTEXT:
                    raise SystemExit(f"tools/i18n.py: {node.func.id} in {module}:{name} is not read; add it")
                if node.func.id in GETTEXT and node.args and isinstance(node.args[0], ast.Constant):
                    msgids.add(node.args[0].value)
                if node.func.id in PLURAL_GETTEXT and len(node.args) >= 2:
                    singular, plural = node.args[:2]
                    if isinstance(singular, ast.Constant) and isinstance(plural, ast.Constant):
                        msgids.add(singular.value)
                        PLURALS[singular.value] = plural.value
    return msgids


def public_msgids(app: Path) -> set[str]:
    """The msgids of one app that the public pages use (PUBLIC): each needs a Kiswahili msgstr."""
    spec = PUBLIC.get(app.name)
    if spec is None:
        return set()
    msgids = set()
    for module, names in spec["python"].items():
        msgids |= _python_msgids(app / module, names)
    if not spec["templates"]:
        return msgids
    with tempfile.TemporaryDirectory() as tmp:
        for template in spec["templates"]:
            (Path(tmp) / template).parent.mkdir(parents=True, exist_ok=True)
            (Path(tmp) / template).write_text((app / template).read_text())
        (Path(tmp) / "locale").mkdir()
        _makemessages(Path(tmp), "-l", "sw", "--no-location", "-e", "html")
        for entry in polib.pofile(catalogue(Path(tmp), "sw")):
            if not entry.obsolete:
                msgids.add(entry.msgid)
                if entry.msgid_plural:
                    PLURALS[entry.msgid] = entry.msgid_plural
    return msgids


def update_kiswahili(app: Path) -> None:
    """The Kiswahili catalogue holds exactly the public msgids, keeping the translations already made."""
    wanted = public_msgids(app)
    if not wanted:
        return
    path = catalogue(app, "sw")
    old = {e.msgid: e for e in polib.pofile(path)} if path.exists() else {}
    po = polib.POFile(wrapwidth=120)
    po.metadata = {
        "Project-Id-Version": "kinga",
        "Language": "sw",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
    }
    for msgid in sorted(wanted):
        entry = old.get(msgid) or (
            polib.POEntry(msgid=msgid, msgid_plural=PLURALS[msgid], msgstr_plural={0: "", 1: ""})
            if msgid in PLURALS
            else polib.POEntry(msgid=msgid, msgstr="")
        )
        entry.obsolete = False
        entry.occurrences = []
        po.append(entry)
    path.parent.mkdir(parents=True, exist_ok=True)
    po.save(str(path))
    print(f"{app.name}: {len(po.untranslated_entries())} untranslated in Kiswahili")


def check_kiswahili(app: Path) -> list[str]:
    wanted = public_msgids(app)
    if not wanted:
        return []
    path = catalogue(app, "sw")
    if not path.exists():
        return [f"{app.name}: no Kiswahili catalogue (run `make messages`)"]
    entries = {e.msgid: e for e in polib.pofile(path) if not e.obsolete}
    problems = []
    for msgid in sorted(wanted):
        entry = entries.get(msgid)
        # A plural string needs each of its forms.
        forms = list(entry.msgstr_plural.values()) if entry is not None and entry.msgid_plural else []
        translations = forms or ([entry.msgstr] if entry is not None else [])
        if not translations or not all(text.strip() for text in translations):
            problems.append(f"{app.name}: no Kiswahili translation: {msgid!r}")
        elif entry.fuzzy:
            problems.append(f"{app.name}: fuzzy Kiswahili translation: {msgid!r}")
        elif any(
            sorted(re.findall(r"%\(\w+\)\w", msgid)) != sorted(re.findall(r"%\(\w+\)\w", text))
            for text in translations
        ):
            problems.append(f"{app.name}: Kiswahili placeholders differ: {msgid!r}")
    return problems


def extract(app: Path, into: Path) -> Path:
    """Run makemessages for one app into a copy of it; return the resulting .po."""
    (into / "locale").mkdir(parents=True, exist_ok=True)
    _makemessages(app, "-l", "fr", "--no-location", "--no-obsolete", "-i", "tests/*", "-i", "migrations/*")
    return catalogue(app)


def _makemessages(cwd: Path, *args: str) -> None:
    """Django's makemessages run in `cwd`, in this process: Django is set up once (a process per app cost two to
    three seconds of start-up each, seventeen times a check)."""
    _set_up_django()
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        call_command("makemessages", *args, verbosity=0)
    finally:
        os.chdir(previous)


@functools.cache
def _set_up_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinga.settings.test")
    sys.path.insert(0, str(ROOT))
    django.setup()


def update() -> None:
    for app in APPS:
        catalogue(app).parent.mkdir(parents=True, exist_ok=True)
        extract(app, app)
        print(f"{app.name}: {len(polib.pofile(catalogue(app)).untranslated_entries())} untranslated")
        update_kiswahili(app)


def check() -> int:
    problems = []
    for app in APPS:
        po_path = catalogue(app)
        if not po_path.exists():
            has_strings = any(
                "_(" in p.read_text() or "translate" in p.read_text() for p in app.rglob("*.py")
            )
            if has_strings:
                problems.append(f"{app.name}: no French catalogue (run `make messages`)")
            continue
        po = polib.pofile(po_path)
        committed = {e.msgid for e in po if not e.obsolete}
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / app.name
            subprocess.run(["cp", "-r", str(app), str(copy)], check=True)
            fresh = {e.msgid for e in polib.pofile(extract(copy, copy)) if not e.obsolete}
        for msgid in sorted(fresh - committed):
            problems.append(f"{app.name}: not in the French catalogue: {msgid!r}")
        for entry in po.untranslated_entries():
            problems.append(f"{app.name}: no French translation: {entry.msgid!r}")
        for entry in po.fuzzy_entries():
            problems.append(f"{app.name}: fuzzy French translation: {entry.msgid!r}")
        problems.extend(check_kiswahili(app))
    for line in problems:
        print(line)
    print(f"i18n: {len(problems)} problem(s) in {len(APPS)} apps")
    return 1 if problems else 0


def compile_all() -> None:
    for app in APPS:
        for language in ("fr", "sw"):
            po_path = catalogue(app, language)
            if po_path.exists():
                polib.pofile(po_path).save_as_mofile(str(po_path.with_suffix(".mo")))


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "update":
        update()
        compile_all()
    elif command == "compile":
        compile_all()
    else:
        sys.exit(check())
