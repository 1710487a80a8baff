"""The one exception of the bootstrap, in a leaf module so that executor, kube and plan import it without a circle."""

from __future__ import annotations


class BootstrapError(Exception):
    """A failure the user can act on; its message is one plain sentence, printed without a traceback."""
