"""`python -m bootstrap.verify`: the Makefile's `cluster-verify`."""

from __future__ import annotations

import sys

from bootstrap.verify.command import main

sys.exit(main())
