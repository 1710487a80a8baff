"""The command of operations.md that sets the image tag an environment deploys; the code is delivery/bump.py.

    python scripts/bump_image_tag.py [--env ENV] [--check] SERVICE=TAG [SERVICE=TAG ...]

Run as a file, Python puts scripts/ on sys.path, so the delivery package is importable as `delivery`.
"""

from __future__ import annotations

import sys

if __name__ == "__main__":
    from delivery.bump import main  # only as a file: imported as scripts.bump_image_tag there is no `delivery`

    sys.exit(main())
