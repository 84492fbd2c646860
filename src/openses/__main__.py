"""``python -m openses`` runs the command line."""

from __future__ import annotations

import sys

from openses.cli import main

sys.exit(main())
