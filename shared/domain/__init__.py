"""Pure domain: request models and business rules, no I/O. Imports nothing else of shared."""
