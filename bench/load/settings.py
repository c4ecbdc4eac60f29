"""Settings of the load drill: the base settings, served by gunicorn on loopback without HTTPS.

The public form's per-client limit and province-wide ceiling are raised because every simulated reporter
comes from 127.0.0.1: the drill measures the server and the database, the limiter has its own tests.
"""

from kinga.settings.base import *  # noqa: F403

DEBUG = False
KINGA_PUBLIC_ALERT_RATE = (1_000_000, 600)
KINGA_PUBLIC_ALERT_CEILING = (1_000_000, 3600)
