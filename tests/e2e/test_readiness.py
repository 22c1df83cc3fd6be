"""Ready means able to do its job (SPEC §9): each function started as its container starts
it — `python -m runtime.serve`, template.yaml's environment, secrets as files — answers
`/_/ready` 503 naming each secret it needs and was not given, and 200 once it has them."""

from __future__ import annotations

import functools
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import functions_framework
import pytest
import requests
import yaml

from runtime import stack
from runtime.run import free_port
from shared.entrypoints import readiness
from shared.platform.config import SECRETS, secret_file
from tests.conftest import ROOT, TEST_ENV
from tests.support import wait_until

SECRET_VALUES = {"ADMIN_API_KEY": TEST_ENV["ADMIN_API_KEY"], "PLATFORM_SECRET": TEST_ENV["PLATFORM_SECRET"]}


@functools.cache
def declared() -> dict[str, tuple[str, ...]]:
    """What each function of the stack declares it needs (loading it runs its decorators)."""
    for function in stack.load():
        functions_framework.create_app(function.target, str(ROOT / function.source))
    return {function.name: readiness.needs(function.target) for function in stack.load()}


@dataclass
class Started:
    process: subprocess.Popen
    port: int

    def ready(self) -> requests.Response:
        def answer():
            try:  # in a list: a Response is falsy when its status is an error
                return [requests.get(f"http://127.0.0.1:{self.port}/_/ready", timeout=5)]
            except requests.ConnectionError:
                return None

        [response] = wait_until(answer, timeout=60, message="the function to listen")
        return response


def start_as_its_container(name: str, secrets_dir: Path, given: tuple[str, ...]) -> Started:
    """The function as OpenFaaS starts it: the stack file's environment (substituted as
    faas-cli does), its secrets mounted as files, and only the given ones of SECRETS."""
    spec = yaml.safe_load(stack.STACK_FILE.read_text())["functions"][name]
    env = {key: stack.expand(value, TEST_ENV) for key, value in spec["environment"].items()}
    secrets_dir.mkdir()
    withheld = {secret_file(need) for need in SECRETS if need not in given}
    values = {secret_file(need): SECRET_VALUES[need] for need in given}
    for secret in set(spec["secrets"]) - withheld:
        (secrets_dir / secret).write_text(values.get(secret, "postgres") + "\n")  # the URLs carry their passwords
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "runtime.serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env={**env, "PATH": "/usr/bin:/bin", "SECRETS_DIR": str(secrets_dir)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return Started(process, port)


def test_every_secret_is_needed_by_some_function_and_declared_in_the_stack_file():
    stack_file = yaml.safe_load(stack.STACK_FILE.read_text())["functions"]
    assert {need for needs in declared().values() for need in needs} == set(SECRETS)
    for name, needs in declared().items():
        assert {secret_file(need) for need in needs} <= set(stack_file[name]["secrets"]), name


def test_the_deployment_guide_names_what_each_function_needs():
    guide = (ROOT / "docs" / "deployment.md").read_text()
    table = {
        need: set(re.findall(r"`([a-z-]+)`", row))
        for need, row in re.findall(r"^\| `([A-Z_]+)` \| (.*) \|$", guide, re.M)
        if need in SECRETS
    }
    assert table == {need: {name for name, needs in declared().items() if need in needs} for need in SECRETS}


@pytest.fixture(scope="module")
def started(tmp_path_factory, databases):
    """Started at once, so their cold starts overlap: every function that needs a secret
    without any; one needing both with each alone and with both; one needing none."""
    cases = {(name, ()): None for name, needs in declared().items() if needs}
    cases.update(
        {
            ("create-merchant", ("PLATFORM_SECRET",)): None,
            ("create-merchant", ("ADMIN_API_KEY",)): None,
            ("create-merchant", tuple(SECRETS)): None,
            ("submit-receipt", ("PLATFORM_SECRET",)): None,
            ("deliver-callbacks", ("PLATFORM_SECRET",)): None,
            ("get-receipt", ()): None,
        }
    )
    for index, (name, given) in enumerate(cases):
        cases[name, given] = start_as_its_container(name, tmp_path_factory.mktemp("secrets") / str(index), given)
    yield cases
    for case in cases.values():
        case.process.terminate()
    for case in cases.values():
        case.process.wait(timeout=10)


def test_a_function_without_a_secret_it_needs_is_not_ready_and_names_it(started):
    for (name, given), function in started.items():
        missing = [need for need in declared()[name] if need not in given]
        response = function.ready()
        if missing:
            assert response.status_code == 503, (name, given, response.text)
            body = response.json()
            assert body["status"] == "not_ready" and body["function"] == name
            assert body["missing"] == missing, (name, given)
            assert all(
                f"{need} is not set" in body["reason"] and secret_file(need) in body["reason"] for need in missing
            )
            assert not any(value in response.text for value in SECRET_VALUES.values())
        else:
            assert response.status_code == 200, (name, given, response.text)


def test_health_answers_whatever_the_readiness(started):
    function = started["submit-receipt", ()]
    assert function.ready().status_code == 503
    assert requests.get(f"http://127.0.0.1:{function.port}/_/health", timeout=5).status_code == 200
