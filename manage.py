#!/usr/bin/env python
"""Django's command-line utility for newsroom's administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    from django.core.management import execute_from_command_line

    if len(sys.argv) > 1 and sys.argv[1] == "runserver":
        # Serving needs what every serving entry point needs (see newsroom/startup.py).
        import django

        django.setup()
        from newsroom.startup import require_serving_settings

        require_serving_settings()
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
