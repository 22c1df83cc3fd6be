"""Pure domain: request models and business rules, no I/O."""
