"""make run gives each function a port of its own."""

from runtime.run import free_ports


def test_the_ports_chosen_for_one_platform_are_distinct():
    ports = free_ports(300)
    assert len(set(ports)) == 300
