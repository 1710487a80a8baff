"""The routes service's OpenAPI description; service_core adds the sentence of the profile it runs."""

DESCRIPTION = (
    "Routes (trayectos) of the marketplace: flights between two airports with a bag cost and planned dates. "
    "Any caller may create, read and delete any route; routes have no owner."
)
