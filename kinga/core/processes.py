"""How many processes serve the app, as far as this process can tell (no Django import: settings use it)."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

PER_PROCESS_CACHES = frozenset(
    {"django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache"}
)


def _workers_in(args: list[str]) -> int | None:
    for i, arg in enumerate(args):
        if arg in ("-w", "--workers") and i + 1 < len(args):
            return int(args[i + 1])
        if arg.startswith("--workers="):
            return int(arg.split("=", 1)[1])
        if arg.startswith("-w") and arg[2:].isdigit():
            return int(arg[2:])
    return None


def web_workers(argv: list[str] | None = None, environ: dict | None = None) -> int:
    """gunicorn's worker count: its command line, GUNICORN_CMD_ARGS, or WEB_CONCURRENCY (gunicorn's default
    for --workers); 1 for anything else (a management command, the test runner)."""
    argv = sys.argv if argv is None else argv
    environ = os.environ if environ is None else environ
    if not argv or Path(argv[0]).name != "gunicorn":
        return 1
    for source in (argv[1:], shlex.split(environ.get("GUNICORN_CMD_ARGS", ""))):
        workers = _workers_in(source)
        if workers is not None:
            return workers
    return int(environ.get("WEB_CONCURRENCY", "1") or 1)
