"""The local runtime: what OpenFaaS or compose would provide, as plain processes.

stack    reads template.yaml, the one deployment descriptor
gateway  the single HTTP entry point, routing to function processes
run      `make run`: migrate, start and supervise every function behind the gateway
"""
