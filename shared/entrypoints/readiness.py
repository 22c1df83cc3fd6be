"""What each function needs to do its job, and whether this process has it (SPEC §9).

A function declares its needs where it is decorated (`endpoint(..., needs=...)`,
`consumer(..., needs=...)`); `GET /_/ready` answers 503 naming what is missing, so an
engine never routes a request to a replica that could only fail it.
"""

from __future__ import annotations

from shared.platform.config import SECRETS, ConfigurationError, secret_file, settings

# By function name (the FUNCTION_TARGET that runtime/serve.py serves).
_NEEDS: dict[str, tuple[str, ...]] = {}


def declare(function_name: str, needs: tuple[str, ...]) -> None:
    unknown = [name for name in needs if name not in SECRETS]
    if unknown:
        raise ValueError(f"{function_name} needs {', '.join(unknown)}: not among the settings ({', '.join(SECRETS)})")
    _NEEDS[function_name] = needs


def needs(function_name: str) -> tuple[str, ...]:
    return _NEEDS.get(function_name, ())


def unready(function_name: str) -> dict | None:
    """Why function_name cannot do its job in this process, for a person to fix
    ({"missing": [names], "reason"}); None when it can."""
    try:
        absent = settings().missing(needs(function_name))
    except ConfigurationError as error:
        return {"missing": [], "reason": str(error)}
    if not absent:
        return None
    return {
        "missing": absent,
        "reason": "; ".join(
            f"{name} is not set: give it in the environment, or as the secret file {secret_file(name)} "
            "(under /var/openfaas/secrets, or SECRETS_DIR)"
            for name in absent
        ),
    }
