"""`make run`: the whole platform as local processes behind one HTTP entry point.

Creates missing databases, applies migrations, starts every function of template.yaml as
its own functions-framework process, and serves the gateway (nginx, its configuration
rendered from template.yaml by runtime/nginx.py) on GATEWAY_PORT. A process that dies is
started again (as compose's `restart: always` would). SIGTERM or Ctrl-C stops everything
within a few seconds.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pika.exceptions

from runtime import nginx, stack
from runtime.probe import answers_200
from shared.platform.config import GatewaySettings, environ_with_dotenv

STOP_GRACE_SECONDS = 3.5
RESTART_BACKOFF_MAX_SECONDS = 30.0
READY_TIMEOUT_SECONDS = 60.0


@dataclass
class Process:
    """One supervised process: a function (with its port) or a trigger."""

    name: str
    argv: list[str]
    port: int | None = None
    process: asyncio.subprocess.Process | None = None
    restarts: int = 0


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """count distinct free ports. The probes stay bound until all are chosen: probed one
    after another, the kernel may hand out a just-released port twice."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def processes_for(functions: list[stack.Function]) -> list[Process]:
    """Every function served as its container serves it, plus the triggers that feed them."""
    python = sys.executable
    processes = []
    urls = {}
    for function, port in zip(functions, free_ports(len(functions))):
        urls[function.name] = f"http://127.0.0.1:{port}/"
        processes.append(
            Process(
                function.name,
                [
                    python,
                    "-m",
                    "runtime.serve",
                    "--target",
                    function.target,
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                port,
            )
        )
    for function in functions:
        if function.queue_triggered:
            processes.append(
                Process(
                    f"{function.name}-trigger",
                    [
                        python,
                        "-m",
                        "runtime.queue_trigger",
                        function.name,
                        "--url",
                        urls[function.name],
                    ],
                )
            )
    scheduled = [function for function in functions if function.scheduled]
    if scheduled:
        processes.append(
            Process(
                "cron-trigger",
                [
                    python,
                    "-m",
                    "runtime.cron_trigger",
                    *[f"--url={f.name}={urls[f.name]}" for f in scheduled],
                ],
            )
        )
    return processes


class Supervisor:
    def __init__(self, processes: list[Process], environ: dict[str, str]):
        self.processes = processes
        self.environ = environ
        self.stopping = asyncio.Event()

    async def start(self, entry: Process) -> None:
        # Each process leads its own process group, as a container would hold it: when it
        # dies, whatever it started (gunicorn's workers) is ended with it.
        entry.process = await asyncio.create_subprocess_exec(
            *entry.argv,
            cwd=stack.ROOT,
            env={**self.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,
        )

    async def supervise(self, entry: Process) -> None:
        backoff = 0.5
        while not self.stopping.is_set():
            started = time.monotonic()
            code = await entry.process.wait()
            _kill_group(entry.process.pid)
            if self.stopping.is_set():
                return
            if time.monotonic() - started > 60:
                backoff = 0.5
            log("process.exited", process=entry.name, code=code, restart_in=backoff)
            try:
                await asyncio.wait_for(self.stopping.wait(), backoff)
                return
            except TimeoutError:
                pass
            backoff = min(backoff * 2, RESTART_BACKOFF_MAX_SECONDS)
            entry.restarts += 1
            await self.start(entry)

    async def wait_until_ready(self) -> None:
        """Until every function answers its readiness probe, as an engine would wait:
        gunicorn binds the port at once, but only a worker that has imported the function
        answers."""
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        for entry in self.processes:
            while entry.port is not None and not await asyncio.to_thread(
                answers_200, f"http://127.0.0.1:{entry.port}/_/ready"
            ):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{entry.name} did not become ready")
                await asyncio.sleep(0.05)

    async def wait_until_serving(self, port: int) -> None:
        """Until the gateway accepts connections on port."""
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while True:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the gateway did not start") from None
                await asyncio.sleep(0.05)

    async def stop(self) -> None:
        self.stopping.set()
        running = [entry.process for entry in self.processes if entry.process and entry.process.returncode is None]
        for process in running:
            process.terminate()
        try:
            await asyncio.wait_for(asyncio.gather(*(process.wait() for process in running)), STOP_GRACE_SECONDS)
        except TimeoutError:
            for process in running:
                if process.returncode is None:
                    process.kill()
            await asyncio.gather(*(process.wait() for process in running))
        for entry in self.processes:
            if entry.process:
                _kill_group(entry.process.pid)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def log(event: str, **fields) -> None:
    from shared.platform import logs

    logs.event(logs.get("run"), event, **fields)


def selected(functions: list[stack.Function], names: str | None) -> list[stack.Function]:
    """The functions named in a comma-separated list (FUNCTIONS), or all of them."""
    if not names:
        return functions
    wanted = {name.strip() for name in names.split(",") if name.strip()}
    unknown = wanted - {function.name for function in functions}
    if unknown:
        raise SystemExit(f"FUNCTIONS names no function of template.yaml: {', '.join(sorted(unknown))}")
    return [function for function in functions if function.name in wanted]


async def run_platform(port: int, environ: dict[str, str]) -> None:
    functions = selected(stack.load(), environ.get("FUNCTIONS"))
    refused_log = Path(tempfile.mkdtemp(prefix="receipts-refused-"))
    refused_log.chmod(0o733)  # nginx's workers write there as nobody when started as root
    served = processes_for(functions)
    ports = {entry.name: entry.port for entry in served if entry.port}
    gateway_metrics = gateway_metrics_process(refused_log, set(ports.values()))
    supervisor = Supervisor([*served, gateway_metrics], environ)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)

    gateway = gateway_process(functions, ports, port, refused_log)
    watchers = []

    async def start_all() -> None:
        # Functions first; the gateway and the triggers once they are listening. Ready
        # means every queue has its trigger consuming too: events sent earlier would wait.
        for entry in supervisor.processes:
            if entry.port:
                await supervisor.start(entry)
        await supervisor.wait_until_ready()
        supervisor.processes.append(gateway)
        for entry in supervisor.processes:
            if not entry.port:
                await supervisor.start(entry)
        await supervisor.wait_until_serving(port)
        watchers.extend(asyncio.create_task(supervisor.supervise(entry)) for entry in supervisor.processes)
        await asyncio.to_thread(wait_until_consuming, functions)

    try:
        await asyncio.wait(
            [asyncio.create_task(start_all()), asyncio.create_task(stop.wait())],
            return_when=asyncio.FIRST_COMPLETED,
        )
        if not stop.is_set():
            log(
                "platform.ready",
                url=f"{'https' if GatewaySettings.from_env().tls else 'http'}://127.0.0.1:{port}",
                functions=ports,
                triggers=sorted(
                    entry.name for entry in supervisor.processes if not entry.port and entry is not gateway
                ),
                gateway=gateway.argv[0],
                gateway_metrics=gateway_metrics.port,
            )
            await stop.wait()
    finally:
        log("platform.stopping")
        await supervisor.stop()
        for watcher in watchers:
            watcher.cancel()
        log("platform.stopped")


def gateway_process(functions: list[stack.Function], ports: dict[str, int], port: int, refused_log: Path) -> Process:
    """nginx on port, in front of the functions' local ports; its configuration, pid and
    buffers in a directory of its own; what it refuses written to refused_log."""
    config = Path(tempfile.mkdtemp(prefix="receipts-gateway-")) / "nginx.conf"
    http_ports = {function.name: ports[function.name] for function in functions if function.http}
    config.write_text(
        nginx.render(
            functions, port=port, local_ports=http_ports, prefix=str(config.parent), refused_log=str(refused_log)
        )
    )
    return Process("gateway", nginx.command(config))


def gateway_metrics_process(refused_log: Path, taken: set[int]) -> Process:
    """runtime.gateway_metrics on a port of its own (none of taken), counting what the gateway refuses."""
    port = next(port for port in iter(free_port, None) if port not in taken)
    argv = [sys.executable, "-m", "runtime.gateway_metrics", "--dir", str(refused_log), "--host", "127.0.0.1"]
    return Process("gateway-metrics", [*argv, "--port", str(port)], port)


def wait_until_consuming(functions: list[stack.Function]) -> None:
    """Block until each queue-triggered function's queue has a consumer (its trigger)."""
    from runtime.queue_trigger import consumer_for
    from shared.platform import bus

    queues = [consumer_for(function).queue for function in functions if function.queue_triggered]
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    connection = bus.connect()
    try:
        channel = connection.channel()
        while not all(channel.queue_declare(queue, passive=True).method.consumer_count for queue in queues):
            if time.monotonic() > deadline:
                raise RuntimeError("the queue triggers did not start consuming")
            connection.sleep(0.1)
    finally:
        connection.close()


def declare_topology() -> None:
    """The exchanges and every consumer's queues, before anything publishes: an event
    published before its consumer's queue exists would have nowhere to go."""
    from runtime.queue_trigger import consumer_for
    from shared.platform import bus

    connection = bus.connect()
    try:
        channel = connection.channel()
        for function in stack.load():
            if function.queue_triggered:
                consumer_for(function).declare(channel)
    finally:
        connection.close()
    log("topology.declared")


def wait_for(service: str, step, unavailable, advice: str) -> None:
    """step(), tried again while service is unreachable or starting, for STARTUP_WAIT_SECONDS:
    under compose or an orchestrator, the platform may start before its backing services."""
    from shared.platform.config import settings

    deadline = time.monotonic() + settings().startup_wait_seconds
    pause = 0.25
    while True:
        try:
            return step()
        except Exception as error:
            if not unavailable(error):
                raise
            if time.monotonic() + pause > deadline:
                raise SystemExit(f"{service} is not reachable ({error}). {advice}") from None
            log("backing_service.waiting", service=service, error=type(error).__name__, retry_in=pause)
            time.sleep(pause)
            pause = min(pause * 2, 5.0)


def main() -> None:
    """`python -m runtime.run [migrate|seed]`: serve the platform, or only migrate (and seed)."""
    # Admin process: complete the environment with .env's development defaults, then
    # hand that environment to every process it starts.
    environ = environ_with_dotenv(stack.ROOT / ".env")
    os.environ.update(environ)
    from shared.platform.config import settings
    from shared.platform.faults import unreachable
    from shared.platform.migrate import migrate_all

    wait_for(
        "PostgreSQL",
        migrate_all,
        unreachable,
        "Start it, or set WRITE_DATABASE_URL / READ_DATABASE_URL / SIM_DATABASE_URL to a running server.",
    )
    wait_for(
        "RabbitMQ",
        declare_topology,
        lambda error: isinstance(error, pika.exceptions.AMQPConnectionError),
        "Start it (rabbitmq-server -detached), or set AMQP_URL to a running broker.",
    )
    command = sys.argv[1] if len(sys.argv) > 1 else "serve"
    if command == "seed":
        from shared.simulation.seed import seed

        created = seed()
        for credentials in created:
            # Shown once, like the admin API's answer; never logged.
            print(credentials.model_dump_json(indent=2))
        if not created:
            print("The demo parties exist already; their keys were shown when they were created.")
    elif command == "serve":
        asyncio.run(run_platform(settings().gateway_port, environ))


if __name__ == "__main__":
    main()
