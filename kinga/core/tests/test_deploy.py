"""Production settings: `kinga check --deploy` is clean with the environment docs/deploy.md describes."""

import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

import kinga

KINGA = str(Path(sys.executable).parent / "kinga")
# The subprocess checks the code under test, even when the virtualenv's editable install points at another
# checkout (a git worktree sharing the venv).
SOURCE_ROOT = str(Path(kinga.__file__).resolve().parent.parent)


def _production_env(tmp_path, **extra) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KINGA_", "DATABASE_URL", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "kinga.settings.production",
            "SECRET_KEY": "p8Qz-" + "x7Lm2Vn9Rt4Kc6Wb" * 4,
            "ALLOWED_HOSTS": "kinga.example.cd",
            "CSRF_TRUSTED_ORIGINS": "https://kinga.example.cd",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
            "KINGA_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "KINGA_BLIND_INDEX_KEY": "blind-index-key-for-the-deploy-check",
            "KINGA_VAR_DIR": str(tmp_path / "var"),
            "PYTHONPATH": SOURCE_ROOT,
        }
    )
    env.update(extra)
    return env


def _check(env):
    return subprocess.run(
        [KINGA, "check", "--deploy", "--fail-level", "WARNING"], env=env, capture_output=True, text=True
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = _check(_production_env(tmp_path))
    output = result.stdout + result.stderr
    # Nothing is tolerated: Django's deployment and security checks, and the OpenAPI schema warnings
    # (drf_spectacular.W001/W002) of every app, are all silent.
    issues = [line for line in output.splitlines() if line.startswith("?:") or "drf_spectacular" in line]
    assert not issues, output
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert not (tmp_path / "var" / "secrets.json").exists()  # production never generates keys


def test_production_refuses_to_start_without_keys(tmp_path):
    env = _production_env(tmp_path)
    del env["KINGA_ENCRYPTION_KEYS"]
    result = _check(env)
    assert result.returncode != 0 and "KINGA_ENCRYPTION_KEYS" in result.stderr


def test_production_reads_the_keys_file(tmp_path):
    import json

    keys = tmp_path / "keys.json"
    keys.write_text(
        json.dumps({"encryption_keys": [Fernet.generate_key().decode()], "blind_index_key": "b" * 40})
    )
    env = _production_env(tmp_path, KINGA_KEYS_FILE=str(keys))
    del env["KINGA_ENCRYPTION_KEYS"], env["KINGA_BLIND_INDEX_KEY"]
    result = subprocess.run(
        [
            KINGA,
            "shell",
            "-c",
            "from django.conf import settings; print(len(settings.KINGA_ENCRYPTION_KEYS))",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0 and result.stdout.strip().endswith("1"), result.stderr
