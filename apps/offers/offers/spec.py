"""The offers service's OpenAPI description; service_core adds the sentence of the profile it runs."""

DESCRIPTION = (
    "Offers (ofertas) of the marketplace: what a user offers to pay, in dollars, to send a parcel on a post. "
    "The caller becomes the offer's userId. The service owns no post data, so it does not check that the post "
    "exists. Amounts are stored with cent precision, from 0 to 9999999999.99."
)
