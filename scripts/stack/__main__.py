"""`python -m scripts.stack {run,up,down}`: the Makefile's `run`, `up` and `down`."""

from __future__ import annotations

import sys

from scripts.stack.commands import main

sys.exit(main())
