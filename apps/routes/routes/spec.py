from service_core.validation import make_spec

spec = make_spec(
    "routes",
    "Routes (trayectos) of the marketplace: flights between two airports with a bag cost and planned dates. "
    "Any authenticated user may create, read and delete any route; routes have no owner.",
)
