"""What make check enforces about the code's shape, also run with the tests: no use of another module's
private names beyond the shrinking allowlist (tools/private_imports.py)."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def private_imports():
    spec = importlib.util.spec_from_file_location("private_imports", ROOT / "tools" / "private_imports.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_module_uses_another_modules_private_names(private_imports):
    assert private_imports.problems() == []


def test_the_check_sees_a_private_name_imported_or_reached_through_a_module(
    private_imports, tmp_path, monkeypatch
):
    monkeypatch.setattr(private_imports, "ROOT", tmp_path)
    package = tmp_path / "kinga" / "demo"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "helpers.py").write_text("def _hidden(): ...\n\ndef _own(): ...\n\nx = _own()\n")
    (package / "views.py").write_text(
        "from kinga.demo import helpers\nfrom .helpers import _hidden\n\nhelpers._secret()\n_hidden()\n"
    )
    assert private_imports.uses(package / "views.py") == {
        "kinga.demo.views: kinga.demo.helpers._hidden",
        "kinga.demo.views: kinga.demo.helpers._secret",
    }
    assert private_imports.uses(package / "helpers.py") == set()
