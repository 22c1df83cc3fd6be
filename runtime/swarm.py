"""The platform on Docker Swarm: compose.yaml's services, as a stack.

    make swarm-up [SWARM_REPLICAS=submit-receipt=3,project-read-model=3]   # build, deploy, wait
    make swarm-up TLS=1                                                      # HTTPS: compose.tls.yaml over it
    make swarm-down                                                          # stack rm, wait until gone
    python -m runtime.swarm render [--replicas …]                            # the stack file, on stdout

`docker stack deploy` reads a compose file, but not all of compose's keys: it ignores
`build` and `restart`, refuses `name`, `pull_policy` and `depends_on` conditions, and takes
`deploy:` (replicas, restart and update policies, resources) instead. So the stack is
rendered from compose.yaml, the one description of the services, rather than kept twice:

- every service gets a restart policy, a rolling update that starts the new task before
  it stops the old one (start-first; a function's new task counts once its port answers),
  and a memory limit sized from what the services were measured to use;
- replicas: one each unless --replicas says otherwise; functions and queue triggers may run
  many (the gateway's and the triggers' service names are load-balanced over them; queue
  consumers compete on their quorum queue; idempotent consumers make effects once);
- the cron trigger runs as one replica, updated stop-first: each schedule fires once per
  tick because only one trigger ever runs (asking for more is refused); so does Prometheus,
  which finds each function's replicas as `tasks.<service>` (deploy/prometheus/swarm.yml);
- PostgreSQL and RabbitMQ run here as one replica each, to try the stack out: in
  production they are managed services, or clustered deployments of their own, and the
  platform reaches them by URL;
- the migration and the gateway's configuration (gateway-config) run once, restarted only
  on failure; functions wait for their backing services themselves (STARTUP_WAIT_SECONDS),
  as Swarm has no `depends_on`, and the gateway is restarted until its configuration is
  there;
- service names resolve to their tasks' addresses (endpoint_mode dnsrr), so each new
  connection goes to a replica DNS picks: Swarm's virtual IPs need IPVS in the kernel,
  which some hosts (these machines among them) lack. The gateway is therefore published on
  the node itself (mode host), one per node.
"""

from __future__ import annotations

import argparse
import os
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request

import yaml

from runtime import stack

COMPOSE_FILE = stack.ROOT / "compose.yaml"
TLS_FILE = stack.ROOT / "compose.tls.yaml"
IMAGE = "receipts/platform:latest"
STACK = "receipts"
# Memory limits from the measured use (STACK-FACTS: a function container 55–70 MiB), with room.
MEMORY = {"postgres": "1G", "rabbitmq": "1G", "fluentd": "256M", "migrate": "256M", "prometheus": "512M"}
FUNCTION_MEMORY = "192M"
# Jobs that run once as the stack starts, restarted only on failure.
ONE_SHOTS = {"migrate", "gateway-config"}
# gateway-metrics counts the gateway's refusals from a volume on the gateway's node: one of
# each, on one node (more nodes: both mode global, each counting its own node's gateway).
SINGLETONS = {"cron-trigger", "postgres", "rabbitmq", "fluentd", "prometheus", "gateway-metrics"} | ONE_SHOTS
# Compose keys `docker stack deploy` refuses or ignores.
_COMPOSE_ONLY = ("build", "pull_policy", "restart", "depends_on", "container_name")
# A function's task is up once its port answers (no Python started per check).
_PORT_ANSWERS = {
    "test": ["CMD", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080"],
    "interval": "2s",
    "timeout": "2s",
    "retries": 30,
    "start_period": "2s",
}


def merged(base: dict, overlay: dict) -> dict:
    """overlay over base as `docker compose -f base -f overlay` merges them: mappings key by
    key, a service's secrets added to its own, any other value replaced."""
    result = dict(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        elif key == "secrets" and isinstance(value, list):
            result[key] = list(dict.fromkeys([*result.get(key, []), *value]))
        else:
            result[key] = value
    return result


def render(replicas: dict[str, int], tls: bool = False) -> dict:
    """The stack file for `docker stack deploy`, from compose.yaml (and compose.tls.yaml)."""
    compose = yaml.safe_load(COMPOSE_FILE.read_text())
    if tls:
        overlay = yaml.safe_load(TLS_FILE.read_text())
        compose = merged(compose, {key: value for key, value in overlay.items() if not key.startswith("x-")})
    unknown = set(replicas) - set(compose["services"])
    if unknown:
        raise SystemExit(f"no such services: {', '.join(sorted(unknown))}")
    for name in SINGLETONS & {name for name, count in replicas.items() if count != 1}:
        raise SystemExit(
            f"{name} runs as one replica (the cron trigger would fire each tick twice; "
            "the others are single servers or a one-off job)"
        )
    functions = {function.name for function in stack.load()}
    services = {}
    for name, service in compose["services"].items():
        service = {key: value for key, value in service.items() if key not in _COMPOSE_ONLY}
        for index, volume in enumerate(service.get("volumes", [])):
            if isinstance(volume, str) and volume.startswith("./"):  # a bind mount: Swarm wants it absolute
                service["volumes"][index] = str(stack.ROOT / volume[2:])
        if name in functions:
            # Not compose's stack probe (on healthz): Swarm restarts an unhealthy task, and
            # that probe fails whenever any function is briefly not ready.
            service["healthcheck"] = _PORT_ANSWERS
        if name == "prometheus":  # each function's replicas found as Swarm's tasks.<service>
            service["command"] = [arg.replace("/prometheus.yml", "/swarm.yml") for arg in service["command"]]
        ports = service.pop("ports", [])
        if ports:  # published on the node itself: dnsrr services take no routing mesh
            service["ports"] = [
                {
                    "target": int(port.rsplit(":", 1)[1]),
                    "published": port.rsplit(":", 1)[0],
                    "protocol": "tcp",
                    "mode": "host",
                }
                for port in ports
            ]
        service["deploy"] = {
            "endpoint_mode": "dnsrr",
            "replicas": replicas.get(name, 1),
            "restart_policy": {"condition": "on-failure" if name in ONE_SHOTS else "any", "delay": "2s"},
            "update_config": {
                "parallelism": 1,
                "delay": "2s",
                "failure_action": "rollback",
                "order": "stop-first" if name in SINGLETONS else "start-first",
            },
            "resources": {"limits": {"memory": MEMORY.get(name, FUNCTION_MEMORY)}},
        }
        services[name] = service
    rendered = {"version": "3.8", "services": services, "volumes": compose.get("volumes", {})}
    if "secrets" in compose:  # files named relative to the stack file, which sits beside compose.yaml
        rendered["secrets"] = compose["secrets"]
    return rendered


class _Plain(yaml.SafeDumper):
    """Writes each service out in full: no &anchors and *aliases for shared values."""

    def ignore_aliases(self, data) -> bool:
        return True


def stack_file(replicas: dict[str, int], tls: bool = False) -> str:
    return yaml.dump(render(replicas, tls), Dumper=_Plain, sort_keys=False)


def parse_replicas(text: str | None) -> dict[str, int]:
    """ "submit-receipt=3,project-read-model=3" → {"submit-receipt": 3, …}."""
    replicas = {}
    for item in filter(None, (text or "").split(",")):
        name, _, count = item.partition("=")
        if not count.isdigit():
            raise SystemExit(f"--replicas: expected name=count, got {item!r}")
        replicas[name.strip()] = int(count)
    return replicas


def environment() -> dict:
    """The shell's environment over .env's development defaults, as `docker compose` reads
    them (`docker stack deploy` reads no .env of its own)."""
    defaults = {}
    for line in (stack.ROOT / ".env").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            defaults[key.strip()] = value.strip()
    return {**defaults, **os.environ}


def docker(*args: str, env: dict | None = None, check: bool = True, timeout: float = 600) -> str:
    result = subprocess.run(["docker", *args], capture_output=True, text=True, env=env, timeout=timeout)
    if check and result.returncode:
        raise SystemExit(f"docker {' '.join(args)}: {result.stderr.strip() or result.stdout.strip()}")
    return result.stdout


def up(name: str, replicas: dict[str, int], timeout: float, port: int | None = None, tls: bool = False) -> None:
    if docker("info", "--format", "{{.Swarm.LocalNodeState}}").strip() != "active":
        print("initialising a single-node swarm (docker swarm init)", flush=True)
        docker("swarm", "init", "--advertise-addr", "127.0.0.1")
    print(f"building {IMAGE} ...", flush=True)
    docker("build", "-q", "-t", IMAGE, str(stack.ROOT))
    rendered = stack.ROOT / f".swarm-{name}.yaml"
    rendered.write_text(stack_file(replicas, tls))
    env = environment() | ({"GATEWAY_PORT": str(port)} if port else {})
    print(f"deploying stack {name} ({rendered.name}) ...", flush=True)
    docker("stack", "deploy", "--resolve-image", "never", "--prune", "-c", str(rendered), name, env=env)
    url = f"{'https' if tls else 'http'}://127.0.0.1:{env.get('GATEWAY_PORT', '8080')}"
    # The gateway's certificate is checked against the CA compose.tls.yaml hands the stack.
    context = ssl.create_default_context(cafile=env.get("GATEWAY_CA") or stack.ROOT / "certs/ca.pem") if tls else None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=5, context=context) as response:
                if response.status == 200:
                    print(f"the platform serves at {url} (stack {name})")
                    return
        except (OSError, urllib.error.URLError):
            pass
        print(f"  waiting: {running(name)}", flush=True)
        time.sleep(5)
    raise SystemExit(f"the stack did not serve within {timeout:.0f} s: docker stack ps {name}")


def running(name: str) -> str:
    """How many of the stack's tasks run, as `docker stack services` counts them."""
    lines = docker("stack", "services", name, "--format", "{{.Replicas}}", check=False).split()
    up_count = sum(int(replicas.split("/")[0]) for replicas in lines if "/" in replicas)
    wanted = sum(int(replicas.split("/")[1].split()[0]) for replicas in lines if "/" in replicas)
    return f"{up_count} of {wanted} tasks running"


def down(name: str, timeout: float, volumes: bool = False) -> None:
    """Remove the stack and wait until nothing of it runs (volumes too: the databases)."""
    docker("stack", "rm", name, check=False)
    deadline = time.monotonic() + timeout
    label = f"label=com.docker.stack.namespace={name}"
    while time.monotonic() < deadline:
        left = docker("ps", "-aq", "--filter", label).split() + docker("network", "ls", "-q", "--filter", label).split()
        if not left:
            if volumes:
                for volume in docker("volume", "ls", "-q", "--filter", label).split():
                    docker("volume", "rm", volume, check=False)
            print(f"stack {name} removed: no container or network{' or volume' if volumes else ''} left")
            return
        time.sleep(1)
    raise SystemExit(f"stack {name} still has containers after {timeout:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("up", "down", "render"))
    parser.add_argument("--name", default=STACK)
    parser.add_argument(
        "--replicas",
        default=os.environ.get("SWARM_REPLICAS"),
        help="e.g. submit-receipt=3,project-read-model=3 (default: one each)",
    )
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--volumes", action="store_true", help="down: drop the stack's databases too")
    parser.add_argument("--tls", action="store_true", help="HTTPS at the gateway: compose.tls.yaml over compose.yaml")
    args = parser.parse_args()
    replicas = parse_replicas(args.replicas)
    if args.command == "render":
        sys.stdout.write(stack_file(replicas, args.tls))
    elif args.command == "up":
        up(args.name, replicas, args.timeout, tls=args.tls)
    else:
        down(args.name, args.timeout, args.volumes)


if __name__ == "__main__":
    main()
