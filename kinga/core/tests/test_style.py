"""The conventions of docs/style.md that a test can see: API routes, page routes, the language of commands."""

import ast
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

from kinga import urls as root_urls

ROOT = Path(__file__).resolve().parents[3]
KINGA_APPS = {
    "core",
    "plan",
    "cases",
    "registry",
    "community",
    "sites",
    "households",
    "supply",
    "monitoring",
    "field",
    "messaging",
    "fund",
    "governance",
}

# Flat API routes older than the <app>/<resource> rule: clients already call them. This list never grows.
FLAT_API_ROUTES = {
    "places", "organisations", "members", "tokens", "audit",
    "plan-axes", "plan-actions", "plan-activities", "plan-indicators", "plan-commitments", "plan-transactions",
    "plan-progress", "plan-indicator-values",
    "cases", "case-referrals", "case-services", "case-stats",
    "sites", "site-inspections", "zones",
    "households", "household-enrolments", "household-programmes", "household-stats", "cooperatives",
}  # fmt: skip
# Lower-case words joined by dashes; a word may carry digits after its first letter (a name such as dhis2).
RESOURCE = r"[a-z][a-z0-9]*(-[a-z][a-z0-9]*)*"
# Outside any app: the load balancer's probe and Django's language switch (its documented name).
ROOT_PAGES = {"health", "set_language"}

# Commands whose own output or --help is still English (docs/style.md: French). This list only shrinks.
ENGLISH_COMMANDS: set[str] = set()
# "file" is also French (a queue): "file de revue", "file d'attente" are not flagged.
ENGLISH_WORDS = re.compile(
    r"\b(the|rows|unknown|cannot|scored|not|under|key|already|nothing|found|with|into|loaded|missing"
    r"|file(?!\s+d(?:e|'|’))|no|skipped|created|generated|ready|took|per|children|statuses|networks|alerts"
    r"|sessions|buyers|to|of|and|by|this|only|for|from|run|write|user|output|even|if|each|every|default"
    r"|again|first|directory|was|left)\b",
    re.IGNORECASE,
)
# Option names (--dry-run, --if-empty, -o) stay as they are: they are not read as words.
OPTION = re.compile(r"(?<![\w-])--?[a-z][\w-]*")
# Outside the command modules, what a command prints comes from: ActorCommand (--actor), and every module that
# writes to a command's stdout or logs through the synth context (reference loaders, `kinga synth` generators).
COMMAND_BASE = ROOT / "kinga/core/actors.py"


def _walk(patterns, prefix="", namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), entry.namespace or namespace)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), namespace, entry


def _is_api(entry: URLPattern) -> bool:
    view = getattr(entry.callback, "cls", None) or getattr(entry.callback, "view_class", None)
    return isinstance(view, type) and issubclass(view, APIView) and view.__module__.startswith("kinga.")


def test_every_api_route_is_under_api_v1():
    api = [route for route, _namespace, entry in _walk(get_resolver().url_patterns) if _is_api(entry)]
    assert api, "no API route found"
    assert [route for route in api if not route.startswith("api/v1/")] == []


def test_api_routes_are_named_app_slash_resource_or_are_the_frozen_flat_ones():
    wrong = []
    for prefix, viewset, basename in root_urls.router.registry:
        app = viewset.__module__.split(".")[1]
        if prefix in FLAT_API_ROUTES:
            continue
        if not re.fullmatch(rf"{app}/{RESOURCE}", prefix) or not basename.startswith(f"{app}-"):
            wrong.append((prefix, basename, app))
    assert wrong == []


def test_page_routes_are_namespaced_snake_case_and_never_show_a_database_id():
    wrong = []
    for route, namespace, entry in _walk(get_resolver().url_patterns):
        module = getattr(entry.callback, "__module__", "")
        if _is_api(entry) or not module.startswith("kinga.") or route.startswith("api/"):
            continue
        if namespace not in KINGA_APPS and namespace != "public_alert" and entry.name not in ROOT_PAGES:
            wrong.append((route, "namespace", namespace))
        if entry.name and not re.fullmatch(r"[a-z][a-z0-9_]*", entry.name):
            wrong.append((route, "name", entry.name))
        # A number the plan gives (an axis's number) may show; a database id never does.
        if re.search(r"<int:(pk|id|\w*_id)>", route):
            wrong.append((route, "integer id", ""))
    assert wrong == []


def _receiver(func: ast.Attribute) -> str:
    """`stdout` for stdout.write / self.stdout.write, `ctx` for ctx.log."""
    value = func.value
    return value.attr if isinstance(value, ast.Attribute) else getattr(value, "id", "")


def _text(node: ast.expr) -> str:
    parts = node.values if isinstance(node, ast.JoinedStr) else [node]
    return " ".join(p.value for p in parts if isinstance(p, ast.Constant) and isinstance(p.value, str))


def _command_literals(path: Path, *, any_write: bool = True) -> list[str]:
    """The literal text of a module's output calls: CommandError(...), stdout/stderr.write(...), ctx.log(...),
    and in a command module (`any_write`) every .write(...); and what `kinga <command> --help` shows: a
    command's `help = ...` and every `help=...` given to add_argument / add_parser."""
    texts = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        help_class_attribute = isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "help" for t in node.targets
        )
        if help_class_attribute or (isinstance(node, ast.keyword) and node.arg == "help"):
            texts.append(_text(node.value))
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        is_output = (isinstance(func, ast.Name) and func.id == "CommandError") or (
            isinstance(func, ast.Attribute)
            and (
                (func.attr == "write" and (any_write or _receiver(func) in ("stdout", "stderr")))
                or (func.attr == "log" and _receiver(func) == "ctx")
            )
        )
        if is_output and node.args:
            texts.append(_text(node.args[0]))
    return texts


def _english(texts: list[str]) -> list[str]:
    return [text for text in texts if ENGLISH_WORDS.search(OPTION.sub(" ", text))]


def test_commands_speak_french():
    english = {}
    for path in sorted(ROOT.glob("kinga/*/management/commands/*.py")):
        found = _english(_command_literals(path))
        if found:
            english[path.stem] = found
    assert set(english) <= ENGLISH_COMMANDS, {k: v for k, v in english.items() if k not in ENGLISH_COMMANDS}
    assert set(english) >= ENGLISH_COMMANDS, (
        f"now French, delete from ENGLISH_COMMANDS: {ENGLISH_COMMANDS - set(english)}"
    )


def test_what_commands_print_from_other_modules_is_french_too():
    """ActorCommand's errors, reference loaders' and synth generators' lines: the operator reads them in
    `kinga load-reference`, `kinga synth`, `make run`, and in every command that takes --actor."""
    modules = [
        path
        for path in sorted(ROOT.glob("kinga/**/*.py"))
        if not {"tests", "migrations", "commands"} & set(path.relative_to(ROOT).parts)
    ]
    assert COMMAND_BASE in modules
    english = {}
    for path in modules:
        found = _english(_command_literals(path, any_write=False))
        if found:
            english[str(path.relative_to(ROOT))] = found
    assert english == {}


@pytest.mark.django_db
def test_a_command_run_as_an_unknown_person_says_so_in_french():
    with pytest.raises(CommandError) as refused:
        call_command("load-reference", actor="personne@example.org")
    assert str(refused.value) == "Aucun utilisateur n'a l'adresse e-mail personne@example.org."
