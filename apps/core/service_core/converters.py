"""The `<uuid:...>` path converter of the services.

Werkzeug's own `uuid` converter answers 404 for a malformed id, but the contract wants 400; this one
hands any segment to the view (which answers 400 via `parse_id`), except the fixed names that are
routes of their own, so `OPTIONS /users/ping` does not advertise the methods of `/users/<id>`. Keeping
the name `uuid` makes spectree document the parameter as `format: uuid`.
"""

from werkzeug.routing import BaseConverter

RESERVED = ("ping", "ready", "reset", "count", "metrics", "openapi.json", "docs", "me", "auth")


class IdConverter(BaseConverter):
    regex = r"(?!(?:" + "|".join(name.replace(".", r"\.") for name in RESERVED) + r")(?:/|$))[^/]+"
