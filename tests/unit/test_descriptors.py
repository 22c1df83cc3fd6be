"""template.yaml as faas-cli reads it, and compose.yaml running the same set (SPEC §9).

No faas-cli here: these are its rules that can be checked without it. faas-cli runs
envsubst over the whole text, comments included, then parses the YAML.
"""

import re
import subprocess

import yaml

from runtime import stack
from runtime.cron_trigger import Schedule
from shared.platform.config import RATE_LIMITS, Settings
from tests.conftest import ROOT

TEMPLATE = (ROOT / "template.yaml").read_text()
DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
# What envsubst takes: ${NAME} or ${NAME:-default}; anything else after "${" is an error.
SUBSTITUTION = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}$]*))?\}")


def envsubst(text: str, environ: dict) -> str:
    """The text with every ${...} replaced as faas-cli does; raises where faas-cli would."""
    out, position = [], 0
    for start in (match.start() for match in re.finditer(r"\$\{", text)):
        substitution = SUBSTITUTION.match(text, start)
        assert substitution, f"faas-cli cannot parse {text[start : start + 30]!r}"
        out.append(text[position:start])
        out.append(environ.get(substitution["name"]) or substitution["default"] or "")
        position = substitution.end()
    return "".join(out) + text[position:]


def template(environ: dict | None = None) -> dict:
    return yaml.safe_load(envsubst(TEMPLATE, environ or {}))


def test_substitutions_stand_only_in_values_and_parse():
    for number, line in enumerate(TEMPLATE.splitlines(), 1):
        if "${" not in line:
            continue
        code = re.split(r"(?:^|\s)#", line, maxsplit=1)[0]
        assert "${" not in line[len(code) :], f"line {number}: a substitution in a comment"
        before = code[: code.index("${")]
        assert re.fullmatch(r'\s*(?:- |[\w.-]+: )(?:&[\w-]+ )?"?', before), f"line {number}: not in a value"
    assert "$$" not in TEMPLATE  # envsubst would turn it into one dollar
    envsubst(TEMPLATE, {})


def test_the_stack_parses_with_nothing_set_and_takes_what_is_set():
    assert template()["provider"]["name"] == "openfaas" and str(template()["version"]) == "1.0"
    set_up = template({"WRITE_DATABASE_URL": "postgresql+pg8000://receipts@db/w", "RECONCILE_SCHEDULE": "*/5 * * * *"})
    assert (
        set_up["functions"]["submit-receipt"]["environment"]["WRITE_DATABASE_URL"]
        == "postgresql+pg8000://receipts@db/w"
    )
    assert set_up["functions"]["reconcile"]["annotations"]["schedule"] == "*/5 * * * *"


def test_every_function_is_a_dns_label_with_one_image_and_its_target():
    images = set()
    for name, function in template()["functions"].items():
        assert DNS_LABEL.fullmatch(name), f"{name}: OpenFaaS names are DNS labels"
        assert {"lang", "handler", "image"} <= set(function), name
        images.add(function["image"])
        target = function["environment"]["FUNCTION_TARGET"]
        assert (ROOT / "functions" / target / "main.py").exists(), name
        annotations = function["annotations"]
        assert ("route" in annotations) != ("topic" in annotations), f"{name}: one trigger each"
        assert all(isinstance(value, str) for value in annotations.values()), name
    assert len(images) == 1 and images.pop(), "one image runs every function"


def test_schedules_are_quoted_and_valid():
    scheduled = [function for function in stack.load() if function.scheduled]
    assert scheduled
    quoted = re.findall(r"^\s+schedule: \"([^\"]+)\"$", TEMPLATE, re.M)
    assert len(quoted) == len(re.findall(r"^\s+schedule:", TEMPLATE, re.M)) == len(scheduled)
    for function in scheduled:
        Schedule(template()["functions"][function.name]["annotations"]["schedule"])


def test_secrets_are_listed_and_each_is_one_the_platform_reads(tmp_path):
    secrets = set()
    for name, function in template()["functions"].items():
        assert function["secrets"], f"{name}: lists its secrets"
        secrets.update(function["secrets"])
    for secret in secrets:
        assert DNS_LABEL.fullmatch(secret), secret
        (tmp_path / secret).write_text(f"from-{secret}\n")
    read = Settings.from_env(
        {
            "SECRETS_DIR": str(tmp_path),
            "WRITE_DATABASE_URL": "postgresql+pg8000://receipts@db/write",
            "READ_DATABASE_URL": "postgresql+pg8000://receipts@db/read",
            "SIM_DATABASE_URL": "postgresql+pg8000://receipts@db/sim",
            "AMQP_URL": "amqp://receipts@broker/%2F",
        }
    )
    text = repr(read)
    assert all(f"from-{secret}" in text for secret in secrets), "a listed secret nothing reads"


def test_scale_hints_are_labels():
    for name, function in template()["functions"].items():
        labels = function["labels"]
        assert all(isinstance(value, str) for value in labels.values()), f"{name}: label values are strings"
        assert 1 <= int(labels["com.openfaas.scale.min"]) <= int(labels["com.openfaas.scale.max"]), name


def test_the_deployment_guide_deploys_every_function_but_the_simulators():
    [regex] = re.findall(
        r"faas-cli deploy -f template\.yaml --regex '([^']+)'", (ROOT / "docs" / "deployment.md").read_text()
    )
    assert not re.search(r"\(\?[=!<]", regex), "Go's regexp has no look-around"
    names = [function.name for function in stack.load()]
    assert [name for name in names if re.search(regex, name)] == [name for name in names if not name.startswith("sim-")]


INFRASTRUCTURE = {
    "postgres",
    "rabbitmq",
    "fluentd",
    "migrate",
    "gateway",
    "gateway-config",
    "gateway-metrics",
    "prometheus",
}


def test_compose_runs_every_function_of_the_template_from_one_image():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services, compose_volumes = compose["services"], set(compose["volumes"])
    functions = stack.load()
    triggers = {f"{function.name}-trigger" for function in functions if function.queue_triggered} | {"cron-trigger"}
    assert set(services) == INFRASTRUCTURE | {function.name for function in functions} | triggers
    built = [name for name, service in services.items() if "build" in service]
    assert built == ["migrate"], "one build; every other service runs its image"
    image = services["migrate"]["image"]
    for name, service in services.items():
        if name not in INFRASTRUCTURE:
            assert service["image"] == image and service["pull_policy"] == "never", name
    for function in functions:
        service = services[function.name]
        assert service["environment"]["FUNCTION_TARGET"] == function.target
        if function.queue_triggered:
            assert services[f"{function.name}-trigger"]["command"][2:4] == ["runtime.queue_trigger", function.name]
    # One health check for the stack: every function ready, and the API serving.
    assert services["healthz"]["healthcheck"]["test"][1:4] == ["python", "-m", "runtime.probe"]
    # The gateway is nginx, on the configuration gateway-config renders from template.yaml
    # and the environment's limits, recreated when those change.
    assert services["gateway"]["image"].startswith("nginx:")
    assert services["gateway"]["command"][:3] == ["nginx", "-c", "/gateway/nginx.conf"]
    assert services["gateway"]["volumes"] == ["gateway-config:/gateway:ro", "gateway-log:/gateway-log"]
    assert "gateway-log:/gateway-log" in services["gateway-metrics"]["volumes"]
    assert services["gateway-config"]["command"] == [
        *["python", "-m", "runtime.nginx", "--out", "/gateway/nginx.conf", "--refused-log", "/gateway-log"]
    ]
    limits = {f"RATE_LIMIT_{name.upper()}" for name in RATE_LIMITS}
    assert set(services["gateway-config"]["environment"]) == set(services["gateway"]["environment"]) == limits
    for name, service in services.items():
        for volume in service.get("volumes", []):
            assert volume.split(":")[0] in compose_volumes or (ROOT / volume.split(":")[0]).exists(), name
    # Prometheus beside it, on its configuration and alert rules, published on PROMETHEUS_PORT.
    assert services["prometheus"]["image"].startswith("prom/prometheus:")
    assert "./deploy/prometheus:/etc/prometheus:ro" in services["prometheus"]["volumes"]
    assert services["prometheus"]["ports"] == ["${PROMETHEUS_PORT:-9090}:9090"]


def test_the_gateways_configuration_for_compose_and_swarm_is_one_nginx_takes(tmp_path):
    from runtime import nginx

    config = tmp_path / "nginx.conf"
    config.write_text(nginx.render(stack.load(), port=8080, resolver=nginx.DOCKER_DNS, prefix=str(tmp_path)))
    checked = subprocess.run([*nginx.command(config)[:-2], "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_prometheus_scrapes_every_function_by_dns_as_rendered_from_the_template():
    from runtime import prometheus

    for swarm, file in ((False, "prometheus.yml"), (True, "swarm.yml")):
        rendered = prometheus.render(stack.load(), swarm=swarm)
        assert (ROOT / "deploy" / "prometheus" / file).read_text() == rendered, (
            f"template.yaml changed: python -m runtime.prometheus{' --swarm' if swarm else ''} > deploy/prometheus/{file}"
        )
        [job, gateway] = yaml.safe_load(rendered)["scrape_configs"]
        assert job["metrics_path"] == gateway["metrics_path"] == "/_/metrics"
        [discovery] = job["dns_sd_configs"]
        prefix = "tasks." if swarm else ""
        assert discovery["names"] == [prefix + function.name for function in stack.load()]
        assert discovery["port"] == 8080
        # The gateway's refusals, counted by gateway-metrics (a compose service of its own).
        assert gateway["dns_sd_configs"][0]["names"] == [prefix + "gateway-metrics"]
