"""Settings of the load test: the base settings, served by gunicorn on loopback without HTTPS.

The public form's per-client limit and province-wide ceiling, and allauth's limit of logins per address (30 a
minute), are raised because every simulated person comes from 127.0.0.1: the test measures the server and the
database, the limiters have their own tests. (An office whose fifty people share one public address logs in
over more than a minute in real life; the failed-login limits are left as they are.)
"""

from kinga.settings.base import *  # noqa: F403

DEBUG = False
KINGA_PUBLIC_ALERT_RATE = (1_000_000, 600)
KINGA_PUBLIC_ALERT_CEILING = (1_000_000, 3600)
ACCOUNT_RATE_LIMITS = {**ACCOUNT_RATE_LIMITS, "login": "1000/m/ip"}  # noqa: F405
