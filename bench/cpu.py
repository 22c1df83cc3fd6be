"""CPU time by process, read from /proc: what each part of the platform costs.

CPU seconds (user + system) are steadier than requests/s on these shared machines
(STACK-FACTS): a cost is the CPU a fixed amount of work took, both sides measured in the
same run. Processes that end during the window still count: a parent's cutime/cstime holds
its reaped children (PostgreSQL's backends are the postmaster's children).
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[str, int, list[str]] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = text[text.index("(") + 1 : text.rindex(")")]
    fields = text[text.rindex(")") + 2 :].split()
    return name, int(fields[1]), fields


def seconds(pid: int, children: bool = False) -> float:
    """CPU seconds of a process (and of its reaped children, if asked)."""
    stat = _stat(pid)
    if stat is None:
        return 0.0
    fields = stat[2]
    ticks = int(fields[11]) + int(fields[12]) + ((int(fields[13]) + int(fields[14])) if children else 0)
    return ticks / TICKS


def _cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().split("\0")
    except OSError:
        return []


def _label(pid: int, name: str) -> str | None:
    """Which part of the platform a process is, by its command line."""
    argv = _cmdline(pid)
    if name == "postgres" or (argv and argv[0].endswith("/postgres")):
        return "PostgreSQL"
    if name == "beam.smp":
        return "RabbitMQ"
    if "runtime.serve" in argv:
        return argv[argv.index("--target") + 1] if "--target" in argv else "function"
    if "runtime.queue_trigger" in argv:
        return "queue triggers"
    if "runtime.cron_trigger" in argv:
        return "cron trigger"
    if name == "nginx":
        return "gateway"
    if "runtime.run" in argv:
        return "supervisor"
    return None


def _processes() -> tuple[dict[int, str], dict[int, int]]:
    """Every process's name and parent."""
    names, parents = {}, {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat:
                names[int(entry.name)], parents[int(entry.name)] = stat[0], stat[1]
    return names, parents


def _tree(root: int, parents: dict[int, int]) -> set[int]:
    """root and every process under it."""
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    return tree


def snapshot(root: int) -> Counter:
    """CPU seconds so far of the platform under root (its process tree), PostgreSQL and
    RabbitMQ, by part."""
    names, parents = _processes()
    tree = _tree(root, parents)
    totals: Counter = Counter()
    for pid, name in names.items():
        label = _label(pid, name)
        if label is None or (label not in ("PostgreSQL", "RabbitMQ") and pid not in tree):
            continue
        # The postmaster counts its reaped backends; a backend alive now counts itself.
        postmaster = label == "PostgreSQL" and names.get(parents[pid]) != "postgres"
        totals[label] += seconds(pid, children=postmaster)
    return totals


def parts(root: int) -> dict[int, str]:
    """The processes under root (alive now) that are a part of the platform, with that part."""
    names, parents = _processes()
    return {pid: label for pid in _tree(root, parents) if (label := _label(pid, names.get(pid, ""))) is not None}


def tree_seconds(root: int) -> float:
    """CPU seconds so far of a process and every process under it (alive now)."""
    return sum(seconds(pid) for pid in _tree(root, _processes()[1]))


def difference(after: Counter, before: Counter) -> Counter:
    return Counter({label: after[label] - before.get(label, 0.0) for label in after})
