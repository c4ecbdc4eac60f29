"""The `kinga` console command: Django's manage.py for the Kinga project."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinga.settings.base")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    # `kinga worker` is the documented name of the task worker.
    if len(argv) > 1 and argv[1] == "worker":
        argv[1] = "db_worker"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
