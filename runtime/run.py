"""`make run`: the whole platform as local processes behind one HTTP entry point.

Creates missing databases, applies migrations, starts every function of template.yaml as
its own functions-framework process, and serves the gateway on GATEWAY_PORT. A function
process that dies is started again (as compose's `restart: always` would). SIGTERM or
Ctrl-C stops everything within a few seconds.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from dataclasses import dataclass

from runtime import gateway, stack
from shared.config import environ_with_dotenv

STOP_GRACE_SECONDS = 3.5
RESTART_BACKOFF_MAX_SECONDS = 30.0
READY_TIMEOUT_SECONDS = 60.0


@dataclass
class Process:
    function: stack.Function
    port: int
    process: asyncio.subprocess.Process | None = None
    restarts: int = 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Supervisor:
    def __init__(self, functions: list[stack.Function], environ: dict[str, str]):
        self.processes = [Process(function, free_port()) for function in functions]
        self.environ = environ
        self.stopping = asyncio.Event()

    async def start(self, entry: Process) -> None:
        entry.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "functions_framework",
            "--target", entry.function.target,
            "--source", str(stack.ROOT / entry.function.source),
            "--host", "127.0.0.1", "--port", str(entry.port),
            cwd=stack.ROOT,
            env={**self.environ, "PYTHONUNBUFFERED": "1"},
        )

    async def supervise(self, entry: Process) -> None:
        backoff = 0.5
        while not self.stopping.is_set():
            started = time.monotonic()
            code = await entry.process.wait()
            if self.stopping.is_set():
                return
            if time.monotonic() - started > 60:
                backoff = 0.5
            log("function.exited", function=entry.function.name, code=code, restart_in=backoff)
            try:
                await asyncio.wait_for(self.stopping.wait(), backoff)
                return
            except asyncio.TimeoutError:
                pass
            backoff = min(backoff * 2, RESTART_BACKOFF_MAX_SECONDS)
            entry.restarts += 1
            await self.start(entry)

    async def wait_until_listening(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        for entry in self.processes:
            while True:
                try:
                    _, writer = await asyncio.open_connection("127.0.0.1", entry.port)
                    writer.close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"{entry.function.name} did not start listening") from None
                    await asyncio.sleep(0.05)

    async def stop(self) -> None:
        self.stopping.set()
        running = [entry.process for entry in self.processes if entry.process and entry.process.returncode is None]
        for process in running:
            process.terminate()
        try:
            await asyncio.wait_for(asyncio.gather(*(process.wait() for process in running)), STOP_GRACE_SECONDS)
        except asyncio.TimeoutError:
            for process in running:
                if process.returncode is None:
                    process.kill()
            await asyncio.gather(*(process.wait() for process in running))


def log(event: str, **fields) -> None:
    from shared import logs

    logs.event(logs.get("run"), event, **fields)


async def run_platform(port: int, environ: dict[str, str]) -> None:
    functions = stack.load()
    supervisor = Supervisor(functions, environ)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)

    for entry in supervisor.processes:
        await supervisor.start(entry)
    ports = {entry.function.name: entry.port for entry in supervisor.processes}
    routes = gateway.routes_for(functions, lambda function: ("127.0.0.1", ports[function.name]))
    server = await gateway.serve(routes, "0.0.0.0", port)
    watchers = [asyncio.create_task(supervisor.supervise(entry)) for entry in supervisor.processes]
    try:
        await asyncio.wait(
            [asyncio.create_task(supervisor.wait_until_listening()), asyncio.create_task(stop.wait())],
            return_when=asyncio.FIRST_COMPLETED,
        )
        if not stop.is_set():
            log("platform.ready", url=f"http://127.0.0.1:{port}", functions=sorted(ports))
            await stop.wait()
    finally:
        log("platform.stopping")
        server.close()
        await supervisor.stop()
        for watcher in watchers:
            watcher.cancel()
        log("platform.stopped")


def main() -> None:
    """`python -m runtime.run [migrate|seed]`: serve the platform, or only migrate (and seed)."""
    # Admin process: complete the environment with .env's development defaults, then
    # hand that environment to every process it starts.
    environ = environ_with_dotenv(stack.ROOT / ".env")
    os.environ.update(environ)
    from shared.config import settings
    from shared.migrate import migrate_all

    migrate_all()
    command = sys.argv[1] if len(sys.argv) > 1 else "serve"
    if command == "seed":
        from shared.seed import seed

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
