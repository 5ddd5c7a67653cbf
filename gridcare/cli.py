"""The `gridcare` console command: a thin wrapper over Django's management commands.

gridcare migrate | serve | worker | demo | import grid FILE | token USER | classify ... | forecast ...
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Make the project importable when run from a source checkout.
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if root not in sys.path:
        sys.path.insert(0, root)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["gridcare", *argv])


if __name__ == "__main__":
    main()
