#!/usr/bin/env bash
# A container's health check: `probe.sh [PATH]` succeeds when the HTTP server in this
# container answers PATH (default /_/ready, runtime/serve.py) with 200. Plain bash, so a
# check every few seconds in each of twenty containers costs next to nothing.
exec 3<>"/dev/tcp/127.0.0.1/${PORT:-8080}" || exit 1
printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "${1:-/_/ready}" >&3
read -r -t 10 _version status _reason <&3 && [ "$status" = 200 ]
