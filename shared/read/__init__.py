"""The read model: projections fed by events, the queries and pages it answers, the report.
May import: shared.platform, shared.domain; never shared.write."""
