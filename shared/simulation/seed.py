"""Admin process: onboard the demo merchant and bank, so a fresh platform has parties.

    make seed        (python -m runtime.run seed)

Demo parties have fixed ids, so seeding twice changes nothing. Their API keys and webhook
secrets are printed once, when they are created, exactly as the admin API shows them.
"""

from __future__ import annotations

import uuid

from shared.domain.parties import BANK, MERCHANT, OPERATOR, PartyKind, PartyRegistration
from shared.write import services
from shared.write.results import PartyCredentials
from shared.write.unit_of_work import UnitOfWork

_DEMO_NAMESPACE = uuid.UUID("2f1d8c6e-5a0b-4f3e-9c2d-7b6a5e4d3c21")

DEMO_PARTIES: list[tuple[PartyKind, PartyRegistration]] = [
    (MERCHANT, PartyRegistration(name="Cafe Central", callback_url="http://127.0.0.1:8080/sim/merchant/callbacks")),
    (BANK, PartyRegistration(name="First Demo Bank", callback_url="http://127.0.0.1:8080/sim/bank/callbacks")),
]


def demo_party_id(kind: PartyKind, name: str) -> uuid.UUID:
    return uuid.uuid5(_DEMO_NAMESPACE, f"{kind}:{name}")


def seed() -> list[PartyCredentials]:
    """Create the demo parties that are missing; returns the credentials of those created."""
    created = []
    for kind, registration in DEMO_PARTIES:
        credentials = services.register_party(
            kind, registration, OPERATOR, UnitOfWork(), party_id=demo_party_id(kind, registration.name)
        )
        if credentials:
            created.append(credentials)
    return created
