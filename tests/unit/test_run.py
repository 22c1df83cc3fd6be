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
