"""CI's skip policy: a test skipped for a reason other than the declared ones fails the run."""

import subprocess
import sys
from pathlib import Path

from django.conf import settings

TESTS = """
import pytest


def test_runs():
    pass


@pytest.mark.skip(reason="PostgreSQL only: a declared reason")
def test_declared():
    pass


def test_undeclared():
    pytest.skip("the data file is not available here")
"""


def _run(tmp_path: Path, *, ci: bool, only_declared: bool = False) -> subprocess.CompletedProcess:
    test_file = tmp_path / "test_sample.py"
    source = TESTS.split("def test_undeclared")[0] if only_declared else TESTS
    test_file.write_text(source)
    root = Path(settings.BASE_DIR)
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(root),
        "CI": "true" if ci else "",
    }
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "conftest",
            "-p",
            "no:django",
            "-p",
            "no:xdist",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            "-c",
            "/dev/null",
            str(test_file),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
    )


def test_an_undeclared_skip_fails_under_ci(tmp_path):
    result = _run(tmp_path, ci=True)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "the data file is not available here" in result.stdout
    assert "test_declared" not in result.stdout.split("undeclared reason")[1]


def test_declared_skips_pass_under_ci_and_anything_passes_outside_it(tmp_path):
    assert _run(tmp_path, ci=True, only_declared=True).returncode == 0
    assert _run(tmp_path, ci=False).returncode == 0
