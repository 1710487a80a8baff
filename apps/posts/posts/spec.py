from service_core.validation import make_spec

spec = make_spec(
    "posts",
    "Posts (publicaciones) of the marketplace: a user publishes a route until an expiry date. The route id is "
    "not checked against the routes service (posts owns no route data). Any authenticated user may read and "
    "delete any post; the author is the token's user.",
)
