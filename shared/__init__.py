"""The platform's code, by layer (shared/README.md): domain, platform, write, read, entrypoints, simulation."""
