"""``python -m pmkit``: the same command line as ``pmkit``."""

import sys

from .cli import main

sys.exit(main())
