"""The posts service's OpenAPI description; service_core adds the sentence of the profile it runs."""

DESCRIPTION = (
    "Posts (publicaciones) of the marketplace: a user publishes a route until an expiry date. The route id is "
    "not checked against the routes service (posts owns no route data). Any caller may read and delete any "
    "post; the author is the caller."
)
