#!/usr/bin/env python
"""Same as the ``koban`` command, for people used to manage.py."""

import sys

from koban.cli import main

if __name__ == "__main__":
    sys.exit(main())
