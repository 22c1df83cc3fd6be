"""Prometheus beside the stack (SPEC §13): its configuration rendered from template.yaml.

Prometheus scrapes `GET /_/metrics` of every replica of every function, found by DNS: under
compose a service's name resolves to each of its containers, under Swarm `tasks.<service>`
to each of its tasks. The alert rules are kept by hand beside it
(deploy/prometheus/alerts.yml, with their unit tests in alerts.test.yml).

    python -m runtime.prometheus > deploy/prometheus/prometheus.yml
    python -m runtime.prometheus --swarm > deploy/prometheus/swarm.yml
"""

from __future__ import annotations

import argparse
import sys

import yaml

from runtime import stack

PORT = 8080  # every function's container port (SPEC §9)
# Often enough for a 5-minute rate() and for an alert to fire within half a minute.
SCRAPE_INTERVAL = "10s"


def render(functions: list[stack.Function], *, swarm: bool = False) -> str:
    """prometheus.yml: one job, every function's replicas by DNS, the alert rules loaded."""
    names = [f"tasks.{function.name}" if swarm else function.name for function in functions]
    config = {
        "global": {"scrape_interval": SCRAPE_INTERVAL, "evaluation_interval": SCRAPE_INTERVAL},
        "rule_files": ["alerts.yml"],
        "scrape_configs": [
            {
                "job_name": "functions",
                "metrics_path": "/_/metrics",
                "dns_sd_configs": [{"names": names, "type": "A", "port": PORT, "refresh_interval": "15s"}],
                # Each replica's service, beside its address: `up{service="match"}`.
                "relabel_configs": [
                    {"source_labels": ["__meta_dns_name"], "regex": "(?:tasks\\.)?(.+)", "target_label": "service"}
                ],
            },
            {  # what the gateway refuses over a limit (runtime/gateway_metrics.py)
                "job_name": "gateway",
                "metrics_path": "/_/metrics",
                "dns_sd_configs": [
                    {
                        "names": ["tasks.gateway-metrics" if swarm else "gateway-metrics"],
                        "type": "A",
                        "port": PORT,
                        "refresh_interval": "15s",
                    }
                ],
            },
        ],
    }
    header = (
        f"# Rendered from template.yaml by `python -m runtime.prometheus{' --swarm' if swarm else ''}`;"
        " a test keeps the two in step.\n"
    )
    return header + yaml.safe_dump(config, sort_keys=False)


def main() -> None:
    parser = argparse.ArgumentParser(description="Print Prometheus's configuration, rendered from template.yaml.")
    parser.add_argument("--swarm", action="store_true", help="find replicas as Swarm's tasks.<service> names")
    args = parser.parse_args()
    sys.stdout.write(render(stack.load(), swarm=args.swarm))


if __name__ == "__main__":
    main()
