"""CPU per outbound POST, side by side: the platform's client (shared.platform.outbound,
urllib3), httpx, and a bare http.client connection kept alive by hand (the floor).

A receiver in another process answers 204 on kept-alive connections; each client POSTs a
callback-sized body --requests times, and the client's own CPU (process time) per request
is printed, median of --repeat rounds, so the receiver's work is left out. With --threads
N, N threads POST at once (as a function's worker threads do), each its share.

    .venv/bin/python bench/outbound.py [--requests 5000] [--repeat 5] [--threads 1]

httpx is not a dependency of the platform: install it where this runs to measure it
(`pip install httpx`); without it, that row is skipped.
"""

from __future__ import annotations

import argparse
import http.client
import http.server
import multiprocessing
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shared.platform import outbound

BODY = b'{"id":"' + b"x" * 36 + b'","type":"receipt.matched","data":{' + b'"k":"v",' * 150 + b'"end":1}}'
HEADERS = {"Content-Type": "application/json", "webhook-id": "x" * 36, "webhook-signature": "v1," + "s" * 44}


class _Receiver(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def _serve(port: int) -> None:
    http.server.ThreadingHTTPServer(("127.0.0.1", port), _Receiver).serve_forever()


def _bare(url: str):
    host, port = url.removeprefix("http://").split("/")[0].split(":")
    own = threading.local()  # a connection per thread, as http.client needs

    def post():
        if not hasattr(own, "connection"):
            own.connection = http.client.HTTPConnection(host, int(port), timeout=10)
        connection = own.connection
        connection.request("POST", "/callbacks", BODY, HEADERS)
        response = connection.getresponse()
        response.read()
        return response.status

    return post


def _urllib3(url: str):
    return lambda: outbound.post(url, BODY, HEADERS, timeout=10, max_body=64 * 1024).status


def _httpx(url: str):
    import httpx

    client = httpx.Client(timeout=10, follow_redirects=False)
    return lambda: client.post(url, content=BODY, headers=HEADERS).status_code


def _cpu_per_call(post, requests: int, threads: int) -> float:
    """The process's CPU per call, in µs, with threads calling at once."""

    def share() -> None:
        for _ in range(requests // threads):
            post()

    callers = [threading.Thread(target=share) for _ in range(threads)]
    started = time.process_time()
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
    return (time.process_time() - started) / (requests // threads * threads) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--port", type=int, default=18099)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    receiver = multiprocessing.Process(target=_serve, args=(args.port,), daemon=True)
    receiver.start()
    url = f"http://127.0.0.1:{args.port}/callbacks"
    time.sleep(0.5)
    clients = {"http.client, kept alive by hand": _bare, "urllib3 (shared.platform.outbound)": _urllib3}
    try:
        import httpx  # noqa: F401 - measured only where it is installed

        clients["httpx"] = _httpx
    except ImportError:
        print("httpx is not installed: its row is skipped")
    posts = {name: make(url) for name, make in clients.items()}
    rounds: dict[str, list[float]] = {name: [] for name in posts}
    for _ in range(args.repeat):
        for name, post in posts.items():  # interleaved, so drift hits every client alike
            assert post() == 204
            rounds[name].append(_cpu_per_call(post, args.requests, args.threads))
    floor = statistics.median(next(iter(rounds.values())))
    print(
        f"CPU per POST of {len(BODY)} bytes, median of {args.repeat} rounds of {args.requests}"
        f" from {args.threads} thread(s):"
    )
    for name, spent in rounds.items():
        median = statistics.median(spent)
        print(f"  {name:38} {median:7.1f} µs  {median / floor:4.2f}x")
    receiver.terminate()


if __name__ == "__main__":
    main()
