"""Use cases on the write model (the truth): commands, the unit of work, the outbox, matching,
callbacks. May import: shared.platform, shared.domain; never shared.read."""
