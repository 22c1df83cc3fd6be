"""Adapters to backing services: configuration, logs, faults, PostgreSQL, RabbitMQ, migrations.
May import: shared.domain."""
