"""The Swarm stack rendered from compose.yaml, without Docker."""

import pytest
import yaml

from runtime import stack, swarm


def test_every_compose_service_is_in_the_stack_with_swarms_keys_only():
    compose = yaml.safe_load(swarm.COMPOSE_FILE.read_text())
    rendered = yaml.safe_load(swarm.stack_file({"submit-receipt": 3}))
    assert set(rendered["services"]) == set(compose["services"])
    for name, service in rendered["services"].items():
        assert not set(service) & set(swarm._COMPOSE_ONLY), name
        assert service["deploy"]["endpoint_mode"] == "dnsrr"
        assert service["deploy"]["resources"]["limits"]["memory"]
    assert rendered["services"]["submit-receipt"]["deploy"]["replicas"] == 3
    assert rendered["services"]["match"]["deploy"]["replicas"] == 1
    assert "*" not in swarm.stack_file({}) and "&" not in swarm.stack_file({})  # no YAML aliases


def test_functions_roll_start_first_and_singletons_stop_first():
    services = swarm.render({})["services"]
    for function in stack.load():
        assert services[function.name]["deploy"]["update_config"]["order"] == "start-first"
        assert services[function.name]["healthcheck"]["test"][-1].endswith("/dev/tcp/127.0.0.1/8080")
    for name in ("cron-trigger", "postgres", "rabbitmq"):
        assert services[name]["deploy"]["update_config"]["order"] == "stop-first"
    assert services["migrate"]["deploy"]["restart_policy"]["condition"] == "on-failure"


def test_the_gateway_is_published_on_the_node():
    [port] = swarm.render({})["services"]["gateway"]["ports"]
    assert port == {"target": 8080, "published": "${GATEWAY_PORT:-8080}", "protocol": "tcp", "mode": "host"}


def test_prometheus_finds_the_replicas_as_swarm_tasks():
    prometheus = swarm.render({})["services"]["prometheus"]
    assert "--config.file=/etc/prometheus/swarm.yml" in prometheus["command"]
    assert prometheus["volumes"][0] == f"{stack.ROOT}/deploy/prometheus:/etc/prometheus:ro"
    [port] = prometheus["ports"]
    assert port["published"] == "${PROMETHEUS_PORT:-9090}" and port["target"] == 9090


@pytest.mark.parametrize("replicas", [{"cron-trigger": 2}, {"postgres": 3}, {"prometheus": 2}])
def test_a_singleton_is_never_replicated(replicas):
    with pytest.raises(SystemExit, match="one replica"):
        swarm.render(replicas)


def test_replica_counts_are_read_from_name_equals_count():
    assert swarm.parse_replicas("submit-receipt=3, project-read-model=2") == {
        "submit-receipt": 3,
        "project-read-model": 2,
    }
    with pytest.raises(SystemExit):
        swarm.parse_replicas("submit-receipt")
    with pytest.raises(SystemExit, match="no such services"):
        swarm.render({"nope": 2})


def test_with_tls_the_gateway_takes_its_certificate_as_secrets_and_every_function_calls_it_over_https():
    rendered = swarm.render({}, tls=True)
    services = rendered["services"]
    assert services["gateway"]["secrets"] == ["gateway-tls-cert", "gateway-tls-key"]
    assert services["gateway-config"]["environment"]["GATEWAY_TLS_CERT"] == "/run/secrets/gateway-tls-cert"
    for function in stack.load():
        environment = services[function.name]["environment"]
        assert environment["PUBLIC_URL"] == "https://gateway:8080", function.name
        assert environment["OUTBOUND_CA_BUNDLE"] == "/run/secrets/gateway-ca"
        assert services[function.name]["secrets"] == ["gateway-ca"]
        assert environment["FUNCTION_TARGET"] == function.target  # compose.yaml's, kept
    assert set(rendered["secrets"]) == {"gateway-tls-cert", "gateway-tls-key", "gateway-ca"}
    assert "secrets" not in swarm.render({}) and "PUBLIC_URL: https" not in swarm.stack_file({})
