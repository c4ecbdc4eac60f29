"""French catalogues of every app: `update` extracts the strings, `check` fails on anything untranslated.

Source strings (msgids) are English; French is the default language of the UI, so every msgid needs a
French msgstr. Each app keeps its own catalogue in kinga/<app>/locale/fr/LC_MESSAGES/django.po.
Usage: python tools/i18n.py update|check|compile
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
APPS = sorted(p.parent for p in (ROOT / "kinga").glob("*/apps.py"))
KINGA = [str(Path(sys.executable).parent / "kinga")]
ENV = {**os.environ, "DJANGO_SETTINGS_MODULE": "kinga.settings.test"}


def catalogue(app: Path) -> Path:
    return app / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def extract(app: Path, into: Path) -> Path:
    """Run makemessages for one app into a copy of it; return the resulting .po."""
    (into / "locale").mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            *KINGA,
            "makemessages",
            "-l",
            "fr",
            "--no-location",
            "--no-obsolete",
            "-i",
            "tests/*",
            "-i",
            "migrations/*",
        ],
        cwd=app,
        env=ENV,
        check=True,
        capture_output=True,
    )
    return catalogue(app)


def update() -> None:
    for app in APPS:
        catalogue(app).parent.mkdir(parents=True, exist_ok=True)
        extract(app, app)
        print(f"{app.name}: {len(polib.pofile(catalogue(app)).untranslated_entries())} untranslated")


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
    for line in problems:
        print(line)
    print(f"i18n: {len(problems)} problem(s) in {len(APPS)} apps")
    return 1 if problems else 0


def compile_all() -> None:
    for app in APPS:
        po_path = catalogue(app)
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
