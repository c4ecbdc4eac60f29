"""The code's shape, enforced: no use of another module's private names beyond the shrinking allowlist
(tools/private_imports.py, also in make check), the explicit queryset hook of the API viewsets, one way of
wiring an app."""

import importlib.util
from pathlib import Path

import openpyxl.xml
import pytest
from django.apps import apps
from rest_framework import viewsets

from kinga.core import app_wiring
from kinga.core.api_base import ScopedViewSetMixin

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


def test_a_scoped_viewset_narrows_through_scoped_queryset_never_get_queryset():
    with pytest.raises(TypeError, match="override scoped_queryset"):

        class Narrowed(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
            def get_queryset(self):
                return super().get_queryset()


def test_every_app_is_wired_the_same_way():
    for config in apps.get_app_configs():
        if config.name.startswith("kinga."):
            assert isinstance(config, app_wiring.KingaAppConfig), config.name


def test_uploaded_xlsx_files_are_parsed_through_defusedxml():
    # openpyxl guards against XML bombs only when defusedxml is installed (docs/style.md, Dependencies).
    assert openpyxl.xml.DEFUSEDXML
