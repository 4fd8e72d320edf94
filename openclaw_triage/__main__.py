"""`python -m openclaw_triage`."""

import sys

from .cli import main

sys.exit(main())
