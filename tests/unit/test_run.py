"""make run: a port of its own for each function, and the functions it serves."""

from runtime.run import free_ports


def test_the_ports_chosen_for_one_platform_are_distinct():
    ports = free_ports(300)
    assert len(set(ports)) == 300


def test_functions_selects_by_template_name_and_refuses_unknown_ones():
    import pytest

    from runtime import stack
    from runtime.run import selected

    functions = stack.load()
    assert [function.name for function in selected(functions, "healthz, submit-receipt")] == [
        function.name for function in functions if function.name in ("healthz", "submit-receipt")
    ]
    assert selected(functions, "") == functions
    with pytest.raises(SystemExit, match="no-such-function"):
        selected(functions, "healthz,no-such-function")


def test_gateway_metrics_counts_each_refusal_once_across_a_restart(tmp_path):
    from runtime import gateway_metrics

    def refused(kind: str) -> float:
        return gateway_metrics.REFUSED.labels(kind)._value.get()

    log = tmp_path / "refused-2026-12-06T01:00.log"
    log.write_bytes(b"submit\nsubmit\nread\n")
    gateway_metrics.start(tmp_path)  # what was there before this process is counted already
    before = refused("submit"), refused("read")
    with log.open("ab") as gateway:
        gateway.write(b"submit\nrea")  # the gateway mid-line
    gateway_metrics.count(tmp_path)
    assert (refused("submit"), refused("read")) == (before[0] + 1, before[1])
    with log.open("ab") as gateway:
        gateway.write(b"d\n")
    gateway_metrics.count(tmp_path)
    assert (refused("submit"), refused("read")) == (before[0] + 1, before[1] + 1)
    old = tmp_path / "refused-2026-12-06T00:55.log"
    old.write_bytes(b"lookup\n")
    import os

    os.utime(old, (0, 0))  # untouched for long: its minute is over
    gateway_metrics.count(tmp_path)
    assert not old.exists() and log.exists()
