from service_core.validation import make_spec

spec = make_spec("users", "Users of the marketplace: sign-up, log-in and the token check of the other services.")
