"""`python -m scripts.bench`: the Makefile's `bench`."""

from __future__ import annotations

import sys

from scripts.bench.command import main

sys.exit(main())
