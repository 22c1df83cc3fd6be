"""Configuration: the only module that reads the environment (SPEC §3).

Secrets (API keys, the platform secret, passwords) come from the environment or, where an
engine mounts them as files (OpenFaaS: /var/openfaas/secrets/<name>, SPEC §9), from the
file named like the variable in lower case with dashes: ADMIN_API_KEY from `admin-api-key`.
A password joins its URL when the URL carries none: WRITE_DATABASE_PASSWORD (file
`write-database-password`), READ_…, SIM_…, AMQP_PASSWORD.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

DEFAULTS = {
    "WRITE_DATABASE_URL": "postgresql+pg8000://postgres:postgres@127.0.0.1:5432/receipts_write",
    "READ_DATABASE_URL": "postgresql+pg8000://postgres:postgres@127.0.0.1:5432/receipts_read",
    "SIM_DATABASE_URL": "postgresql+pg8000://postgres:postgres@127.0.0.1:5432/receipts_sim",
    "AMQP_URL": "amqp://guest:guest@127.0.0.1:5672/%2F",
    "GATEWAY_PORT": "8080",
    "FLUENT_PORT": "24224",
}
# Requests per second the gateway lets each credential make, per route class, and each
# client address overall; a burst of twice as many (SPEC §15, docs/security.md: limits).
RATE_LIMITS = {"submit": 50, "read": 100, "lookup": 20, "admin": 20, "address": 1000}
SECRETS_DIR = "/var/openfaas/secrets"
# The settings with no default that a function may need to do its job (it declares which:
# shared.entrypoints.readiness).
SECRETS = ("ADMIN_API_KEY", "PLATFORM_SECRET")


class ConfigurationError(RuntimeError):
    """A required setting is missing or malformed."""


@dataclass(frozen=True)
class Settings:
    write_database_url: str
    read_database_url: str
    sim_database_url: str  # the simulated merchant's and bank's own database
    amqp_url: str
    gateway_port: int
    admin_api_key: str | None
    platform_secret: bytes | None
    fluent_host: str | None
    fluent_port: int
    function_target: str | None
    database_pool_size: int
    database_pool_idle_seconds: float
    public_url: str
    outbound_ca_bundle: str | None
    production: bool
    callback_allowed_hosts: frozenset[str]
    callback_window_seconds: float
    tip_share: float
    expiry_days: float
    drift_days: int
    startup_wait_seconds: float

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env

        def get(name: str) -> str:
            return env.get(name) or DEFAULTS[name]

        def secret(name: str) -> str | None:
            if env.get(name):
                return env[name]
            path = Path(env.get("SECRETS_DIR") or SECRETS_DIR) / secret_file(name)
            try:
                return path.read_text().strip() or None
            except (FileNotFoundError, NotADirectoryError):
                return None

        def url(name: str, password_name: str) -> str:
            return with_password(get(name), secret(password_name))

        platform_secret = secret("PLATFORM_SECRET")
        try:
            return cls(
                write_database_url=url("WRITE_DATABASE_URL", "WRITE_DATABASE_PASSWORD"),
                read_database_url=url("READ_DATABASE_URL", "READ_DATABASE_PASSWORD"),
                sim_database_url=url("SIM_DATABASE_URL", "SIM_DATABASE_PASSWORD"),
                amqp_url=url("AMQP_URL", "AMQP_PASSWORD"),
                gateway_port=int(get("GATEWAY_PORT")),
                admin_api_key=secret("ADMIN_API_KEY"),
                platform_secret=platform_secret.encode() if platform_secret else None,
                fluent_host=env.get("FLUENT_HOST") or None,
                fluent_port=int(get("FLUENT_PORT")),
                # The function this process serves: its database connections carry it as
                # application_name (pg_stat_activity shows who holds what).
                function_target=env.get("FUNCTION_TARGET") or None,
                # At most this many connections per database per process (a request waits
                # for one beyond that), each closed once idle this long: a function that
                # serves few requests holds one connection or none (docs/operations.md: connections).
                database_pool_size=int(env.get("DATABASE_POOL_SIZE") or 4),
                database_pool_idle_seconds=float(env.get("DATABASE_POOL_IDLE_SECONDS") or 30),
                # Where banks' apps fetch a rendered receipt (receipt_url in callbacks).
                public_url=_public_url(env.get("PUBLIC_URL"), bool(env.get("GATEWAY_TLS_CERT")), get("GATEWAY_PORT")),
                # What outbound HTTPS calls check receivers against (None: the system's CAs).
                outbound_ca_bundle=env.get("OUTBOUND_CA_BUNDLE") or None,
                # Callback URLs production refuses, but to these hosts (shared.platform.destinations).
                production=_production(env.get("RECEIPTS_ENV") or "development"),
                callback_allowed_hosts=_hosts(env.get("CALLBACK_ALLOWED_HOSTS") or ""),
                # How long a callback is retried before it is marked failed (SPEC §6: 24 h).
                callback_window_seconds=float(env.get("CALLBACK_RETRY_WINDOW_SECONDS") or 86400),
                # Reconciliation: how far above a receipt's line a tipped payment may be, and
                # how long an item waits unmatched before it is marked expired.
                tip_share=float(env.get("RECONCILE_TIP_SHARE") or 0.25),
                expiry_days=float(env.get("RECONCILE_EXPIRY_DAYS") or 7),
                # How many days back (by item date) each run compares the read model.
                drift_days=int(env.get("RECONCILE_DRIFT_DAYS") or 35),
                # How long migrate and `make run` wait for PostgreSQL and RabbitMQ to accept
                # connections: under compose or an orchestrator they may start later.
                startup_wait_seconds=float(env.get("STARTUP_WAIT_SECONDS") or 60),
            )
        except ValueError as error:
            raise ConfigurationError(f"malformed setting: {error}") from None

    def missing(self, names) -> list[str]:
        """Those of names (of SECRETS) this process was not given."""
        return [name for name in names if not getattr(self, name.lower())]

    def require_platform_secret(self) -> bytes:
        if not self.platform_secret:
            raise ConfigurationError("PLATFORM_SECRET is not set: it keys request fingerprints and webhook secrets")
        return self.platform_secret


@dataclass(frozen=True)
class GatewaySettings:
    """What the gateway is rendered with (runtime.nginx): its limits, by route class, and
    its TLS certificate and key, and the CA that signs banks' client certificates (files)."""

    rate_limits: dict[str, int]
    tls_cert: str | None = None
    tls_key: str | None = None
    client_ca: str | None = None

    @property
    def tls(self) -> bool:
        return self.tls_cert is not None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> GatewaySettings:
        env = os.environ if env is None else env
        limits = {}
        for name, default in RATE_LIMITS.items():
            value = env.get(f"RATE_LIMIT_{name.upper()}") or str(default)
            if not value.isdigit() or int(value) < 1:
                raise ConfigurationError(
                    f"RATE_LIMIT_{name.upper()} must be a whole number of requests per second, got {value!r}"
                )
            limits[name] = int(value)
        # nginx reads relative paths from its own directory: these are the caller's.
        files = {name: str(Path(env[name]).resolve()) if env.get(name) else None for name in _GATEWAY_FILES}
        if bool(files["GATEWAY_TLS_CERT"]) != bool(files["GATEWAY_TLS_KEY"]):
            raise ConfigurationError("GATEWAY_TLS_CERT and GATEWAY_TLS_KEY go together: set both or neither")
        if files["GATEWAY_CLIENT_CA"] and not files["GATEWAY_TLS_CERT"]:
            raise ConfigurationError("GATEWAY_CLIENT_CA needs TLS: set GATEWAY_TLS_CERT and GATEWAY_TLS_KEY too")
        return cls(limits, files["GATEWAY_TLS_CERT"], files["GATEWAY_TLS_KEY"], files["GATEWAY_CLIENT_CA"])


_GATEWAY_FILES = ("GATEWAY_TLS_CERT", "GATEWAY_TLS_KEY", "GATEWAY_CLIENT_CA")
# The subject of the client certificate the gateway verified, as it tells the functions:
# only the gateway sets it (it replaces whatever a client sent under this name).
CLIENT_CERTIFICATE_SUBJECT = "X-Client-Certificate-Subject"


def _public_url(given: str | None, tls: bool, port: str) -> str:
    """PUBLIC_URL, else make run's gateway: https when it is given a certificate."""
    return (given or f"{'https' if tls else 'http'}://127.0.0.1:{port}").rstrip("/")


def _production(name: str) -> bool:
    if name not in ("development", "production"):
        raise ConfigurationError(f"RECEIPTS_ENV is development or production, not {name!r}")
    return name == "production"


def _hosts(names: str) -> frozenset[str]:
    """ "a.example, B.example" → {"a.example", "b.example"}."""
    return frozenset(host.strip().lower() for host in names.split(",") if host.strip())


def secret_file(name: str) -> str:
    """The file an engine mounts a secret as: ADMIN_API_KEY as admin-api-key."""
    return name.lower().replace("_", "-")


def with_password(url: str, password: str | None) -> str:
    """url with password inserted for its user, unless it carries one already."""
    parts = urlsplit(url)
    if not password or parts.password is not None or not parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    user = parts.netloc.rpartition("@")[0]
    return urlunsplit(parts._replace(netloc=f"{user}:{quote(password, safe='')}@{host}"))


@functools.cache
def settings() -> Settings:
    return Settings.from_env()


def environ_with_dotenv(path: Path) -> dict[str, str]:
    """The process environment, completed by the KEY=VALUE lines of a .env file.

    Variables already set win, as with docker compose; admin processes (make run, make
    test) use this to hand the development defaults to the processes they start.
    """
    environ = dict(os.environ)
    if path.exists():
        for line in path.read_text().splitlines():
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                environ.setdefault(key.strip(), value.strip())
    return environ
