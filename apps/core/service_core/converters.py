"""The `<uuid:...>` path converter of the services.

Werkzeug's own `uuid` converter answers 404 for a malformed id, but the contract wants 400; this one
hands any segment to the view (which answers 400 via `parse_id`), except the fixed names that are
routes of their own, so `OPTIONS /users/ping` does not advertise the methods of `/users/<id>`. Keeping
the name `uuid` makes spectree document the parameter as `format: uuid`.
"""

import re

from werkzeug.routing import BaseConverter

# The fixed routes every service has (see common.py), plus spectree's pages under docs/.
COMMON_ROUTES = ("ping", "ready", "reset", "count", "metrics", "openapi.json", "docs")


def id_converter(reserved: tuple[str, ...]) -> type[BaseConverter]:
    """A converter matching any one path segment except the `reserved` route names of the service."""
    names = "|".join(re.escape(name) for name in (*COMMON_ROUTES, *reserved))

    class IdConverter(BaseConverter):
        regex = rf"(?!(?:{names})(?:/|$))[^/]+"

    return IdConverter
