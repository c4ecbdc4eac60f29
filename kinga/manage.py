"""The `kinga` console command: Django's manage.py for the Kinga project."""

import os
import sys

from django.core.management import execute_from_command_line


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinga.settings.base")

    # `kinga worker` is kinga.core's command: django-tasks-db's worker that also re-runs interrupted tasks.
    execute_from_command_line(list(sys.argv))


if __name__ == "__main__":
    main()
