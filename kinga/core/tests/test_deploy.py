"""Production settings: `kinga check --deploy` is clean with the environment docs/deploy.md describes."""

import json
import subprocess
import sys
from pathlib import Path

from allauth.mfa.totp.internal.auth import generate_totp_secret
from cryptography.fernet import Fernet

from kinga.core.testing import production_env, totp_code

KINGA = str(Path(sys.executable).parent / "kinga")


def _check(env):
    return subprocess.run(
        [KINGA, "check", "--deploy", "--fail-level", "WARNING"], env=env, capture_output=True, text=True
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = _check(production_env(tmp_path))
    output = result.stdout + result.stderr
    # Nothing is tolerated: Django's deployment and security checks, and the OpenAPI schema warnings
    # (drf_spectacular.W001/W002) of every app, are all silent.
    issues = [line for line in output.splitlines() if line.startswith("?:") or "drf_spectacular" in line]
    assert not issues, output
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert not (tmp_path / "var" / "secrets.json").exists()  # production never generates keys


def test_production_refuses_to_start_without_keys(tmp_path):
    env = production_env(tmp_path)
    del env["KINGA_ENCRYPTION_KEYS"]
    result = _check(env)
    assert result.returncode != 0 and "KINGA_ENCRYPTION_KEYS" in result.stderr


def test_production_reads_the_keys_file(tmp_path):
    keys = tmp_path / "keys.json"
    keys.write_text(
        json.dumps({"encryption_keys": [Fernet.generate_key().decode()], "blind_index_key": "b" * 40})
    )
    env = production_env(tmp_path, KINGA_KEYS_FILE=str(keys))
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


# A used TOTP code is marked in the cache: the mark must be seen by every process serving the app.
VALIDATE_TOTP = """
import sys

import django

django.setup()
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import encrypt

print("ready", flush=True)
secret, code = sys.stdin.readline().split()
authenticator = Authenticator(user_id=1, type=Authenticator.Type.TOTP, data={"secret": encrypt(secret)})
print("accepted" if TOTP(authenticator).validate_code(code) else "refused")
"""


def test_a_totp_code_is_accepted_once_across_processes(tmp_path):
    env = production_env(tmp_path)
    setup = subprocess.run([KINGA, "createcachetable"], env=env, capture_output=True, text=True)
    assert setup.returncode == 0, setup.stderr
    secret = generate_totp_secret()
    # Two processes at once, as two gunicorn workers receiving the same code. The code is computed once both
    # have started (a slow start must not outlast the code's period).
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", VALIDATE_TOTP],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for worker in workers:
        assert worker.stdout.readline().strip() == "ready", worker.stderr.read()
    code = totp_code(secret)
    answers = []
    for worker in workers:
        out, err = worker.communicate(f"{secret} {code}\n", timeout=300)
        assert worker.returncode == 0, err
        answers.append(out.strip())
    assert sorted(answers) == ["accepted", "refused"]


def test_check_deploy_fails_with_a_per_process_cache(tmp_path):
    result = _check(production_env(tmp_path, CACHE_URL="locmemcache://"))
    assert result.returncode != 0 and "kinga.E001" in result.stdout + result.stderr


def test_a_per_process_cache_with_several_workers_refuses_to_start(tmp_path):
    start = "import sys; sys.argv = ['gunicorn', '--workers', '3', 'kinga.wsgi']; import kinga.wsgi"
    env = production_env(tmp_path, CACHE_URL="locmemcache://")
    result = subprocess.run([sys.executable, "-c", start], env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "per-process cache" in result.stderr, result.stderr
    one_worker = start.replace("'3'", "'1'")
    result = subprocess.run([sys.executable, "-c", one_worker], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
