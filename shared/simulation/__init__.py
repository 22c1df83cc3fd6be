"""The simulated parties of the seed, kept so anyone can watch the whole flow locally:
a merchant POS, a payment processor and an issuing bank, speaking ISO 8583 between them
and the platform's API to it."""
