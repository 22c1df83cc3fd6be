"""Logs are JSON events on stdout, or go to Fluentd when FLUENT_HOST is set (SPEC §2)."""

import json
import os
import socket
import subprocess
import sys
import threading

import msgpack

from tests.conftest import ROOT, TEST_ENV

EMIT = (
    "from shared.platform import logs; "
    "logs.event(logs.get('probe'), 'probe.happened', card='4123450000001234', receipt_id='r-1')"
)


def run_emitter(**env) -> str:
    return subprocess.run(
        [sys.executable, "-c", EMIT],
        cwd=ROOT,
        env={**os.environ, **TEST_ENV, **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout


def test_without_fluent_host_each_event_is_one_json_line_on_stdout():
    [line] = run_emitter().splitlines()
    event = json.loads(line)
    assert event["event"] == "probe.happened" and event["receipt_id"] == "r-1"
    assert event["card"] == "412345******1234"  # digit runs of PAN length are masked


def test_with_fluent_host_events_go_to_fluentd_over_forward_protocol():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(20)
    received = []

    def accept():
        connection, _ = server.accept()
        connection.settimeout(20)
        unpacker = msgpack.Unpacker()
        while not received:
            data = connection.recv(65536)
            if not data:
                break
            unpacker.feed(data)
            received.extend(unpacker)
        connection.close()

    thread = threading.Thread(target=accept)
    thread.start()
    stdout = run_emitter(FLUENT_HOST="127.0.0.1", FLUENT_PORT=str(server.getsockname()[1]))
    thread.join(timeout=20)
    server.close()
    assert stdout == ""
    [(tag, _time, record)] = [tuple(message[:3]) for message in received]
    assert tag == "receipts"
    assert record["event"] == "probe.happened" and record["card"] == "412345******1234"
