"""The build fails if a view or API module queries a model around kinga.core.access."""

import ast
from pathlib import Path

import kinga
from kinga.core import access
from kinga.core.roles import PERMISSIONS

ROOT = Path(kinga.__file__).parent
FORBIDDEN_ATTRIBUTES = {"objects", "_default_manager", "_base_manager"}


def _view_and_api_modules():
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        name = path.stem
        in_views_package = path.parent.name in {"views", "api"}
        if name.startswith(("views", "api")) or in_views_package:
            yield path


def test_there_are_view_modules_to_check():
    assert len(list(_view_and_api_modules())) >= 2


def test_views_and_api_never_query_models_directly():
    offences = []
    for path in _view_and_api_modules():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRIBUTES:
                offences.append(f"{path.relative_to(ROOT.parent)}:{node.lineno} uses .{node.attr}")
    assert not offences, "Views and API modules must go through kinga.core.access / selectors:\n" + "\n".join(
        offences
    )


def test_every_registered_model_has_a_declared_view_permission():
    for model in access.registered_models():
        rule = access.rule_for(model)
        assert rule.view_permission in PERMISSIONS, model
