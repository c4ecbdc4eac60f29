"""Production refuses a gateway it could not reach rather than failing every message later in the worker."""

import subprocess
import sys
from pathlib import Path

from kinga.core.testing import production_env

KINGA = str(Path(sys.executable).parent / "kinga")


def _check(env):
    return subprocess.run([KINGA, "check"], env=env, capture_output=True, text=True)


def test_production_needs_the_gateways_address_for_http_sms(tmp_path):
    result = _check(production_env(tmp_path, KINGA_SMS_BACKEND="http"))
    assert result.returncode != 0 and "KINGA_SMS_GATEWAY_URL" in result.stderr
    result = _check(production_env(tmp_path, KINGA_SMS_BACKEND="carrier-pigeon"))
    assert result.returncode != 0 and "KINGA_SMS_BACKEND" in result.stderr
    env = production_env(
        tmp_path, KINGA_SMS_BACKEND="http", KINGA_SMS_GATEWAY_URL="https://sms.example.cd/send"
    )
    assert _check(env).returncode == 0
