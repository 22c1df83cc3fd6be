"""Demo data: seeding twice onboards the demo parties once."""

from sqlalchemy import text

from shared.simulation.seed import DEMO_PARTIES, demo_party_id, seed
from tests.support import remember


def test_seeding_twice_onboards_each_demo_party_once(write_engine):
    first = seed()
    for credentials in first:
        remember(credentials.api_key, credentials.webhook_secret)
    assert seed() == []
    ids = [demo_party_id(kind, registration.name) for kind, registration in DEMO_PARTIES]
    with write_engine.connect() as connection:
        keys = connection.execute(
            text("SELECT count(*) FROM api_keys WHERE party_id = ANY(:ids)"), {"ids": ids}
        ).scalar_one()
    assert keys == len(DEMO_PARTIES)
