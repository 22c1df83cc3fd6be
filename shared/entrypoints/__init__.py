"""How an invocation comes in: HTTP parsing, authentication and the one error mapping;
the CloudEvent consumer wrapper; readiness, health and the OpenAPI document.
May import: shared.write, shared.read, shared.platform, shared.domain."""
