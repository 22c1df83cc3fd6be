"""The gateway's refused requests as a metric: `receipts_rate_limited_total{class}`.

A 429 never reaches a function, and nginx keeps no counter a scrape could read; so the
gateway writes the route class of each request it refuses over a limit, one line each, to
a file per minute in a directory it shares with this process (runtime/templates/
nginx.conf.j2). Every few seconds this process counts the lines
written since it last looked, and deletes a file once it has been left alone for two
minutes (its minute is over), so the directory holds about four minutes at most. What
was there when this process started is taken as counted: a restart counts nothing twice
(the counter starts again at 0, which Prometheus's rate() allows for).

    python -m runtime.gateway_metrics --dir /gateway-log --port 8080     # GET /_/metrics
"""

from __future__ import annotations

import argparse
import collections
import signal
import threading
import time
from pathlib import Path

import prometheus_client

REGISTRY = prometheus_client.CollectorRegistry()
REFUSED = prometheus_client.Counter(
    "receipts_rate_limited",
    "Requests the gateway refused over a limit (429), by the route's class of limit",
    ["class"],
    registry=REGISTRY,
)
for kind in ("submit", "read", "lookup", "admin"):
    REFUSED.labels(kind)  # at 0 from the start, so that a first burst shows in rate()
COUNT_SECONDS = 2  # how often what the gateway wrote is counted: a scrape sees it this late at most
FINISHED_SECONDS = 120  # a minute's file untouched this long is complete
CHUNK = 1 << 22  # read 4 MiB at a time: a flood's minute is tens of MiB
_read: dict[Path, int] = {}  # file -> how many of its bytes are counted
_lock = threading.Lock()


def start(directory: Path) -> None:
    """Take what is in directory as counted (a restart would otherwise count it again)."""
    with _lock:
        for path in directory.glob("refused-*.log"):
            _read[path] = path.stat().st_size


def count(directory: Path) -> None:
    """Count what the gateway wrote since the last call; delete the files it is done with."""
    with _lock:
        for path in directory.glob("refused-*.log"):
            try:
                finished = time.time() - path.stat().st_mtime > FINISHED_SECONDS
                _count_rest(path)
                if finished:
                    path.unlink()
                    _read.pop(path, None)
            except OSError:
                continue  # gone meanwhile, or not ours to read: the next call tries again


def _count_rest(path: Path) -> None:
    with path.open("rb") as log:
        while True:
            log.seek(_read.get(path, 0))
            chunk = log.read(CHUNK)
            lines = chunk[: chunk.rfind(b"\n") + 1]  # a line still being written waits
            if not lines:
                return
            for kind, refused in collections.Counter(lines.splitlines()).items():
                REFUSED.labels(kind.decode(errors="replace")).inc(refused)
            _read[path] = _read.get(path, 0) + len(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, required=True, help="where the gateway writes what it refuses")
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    start(args.dir)
    # Every path answers the metrics: /_/metrics for Prometheus, /_/ready for make run.
    server, _ = prometheus_client.start_http_server(args.port, addr=args.host, registry=REGISTRY)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    while not stop.wait(COUNT_SECONDS):
        count(args.dir)
    server.shutdown()


if __name__ == "__main__":
    main()
