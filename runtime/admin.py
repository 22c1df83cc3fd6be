"""Admin processes, run against the configured platform (make replay / dlq / redrive).

    python -m runtime.admin replay                      rebuild the read model from the events
    python -m runtime.admin dlq [CONSUMER]              list dead letters with their reason
    python -m runtime.admin redrive [CONSUMER] [--id EVENT_ID ...]
                                                        put dead letters back on their queue
    python -m runtime.admin discard [CONSUMER] --id EVENT_ID [--id ...]
                                                        delete dead letters for good
CONSUMER is a queue-triggered function of template.yaml (default: every one).
"""

from __future__ import annotations

import argparse
import os
import sys

from runtime import stack
from shared.platform.config import environ_with_dotenv


def _consumers(name: str | None):
    from runtime.queue_trigger import consumer_for

    functions = [function for function in stack.load() if function.queue_triggered]
    if name:
        functions = [function for function in functions if function.name == name]
        if not functions:
            raise SystemExit(f"no queue-triggered function named {name!r} in template.yaml")
    return [consumer_for(function) for function in functions]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("replay")
    dlq = commands.add_parser("dlq")
    dlq.add_argument("consumer", nargs="?")
    redrive = commands.add_parser("redrive")
    redrive.add_argument("consumer", nargs="?")
    redrive.add_argument("--id", action="append", dest="ids", help="only this event id (repeatable)")
    discard = commands.add_parser("discard")
    discard.add_argument("consumer", nargs="?")
    discard.add_argument("--id", action="append", dest="ids", required=True, help="this event id (repeatable)")
    args = parser.parse_args()
    os.environ.update(environ_with_dotenv(stack.ROOT / ".env"))

    if args.command == "replay":
        from shared.platform.db import read_engine, write_engine
        from shared.read.replay import replay

        total = replay(write_engine(), read_engine(), lambda applied: print(f"\rreplayed {applied} events", end=""))
        print(f"\rreplayed {total} events into the read model")
    elif args.command == "dlq":
        from shared.platform.dead_letters import dead_letters

        for consumer in _consumers(args.consumer):
            letters = dead_letters(consumer)
            print(f"{consumer.dead_letter_queue}: {len(letters)} dead letter(s)")
            for letter in letters:
                print(
                    f"  {letter.event_id}  {letter.type}  subject={letter.subject}"
                    f"  attempts={letter.attempts}  reason={letter.reason}"
                )
    elif args.command == "redrive":
        from shared.platform.dead_letters import redrive as redrive_letters
        from shared.write.services import audit_dead_letters
        from shared.write.unit_of_work import UnitOfWork

        for consumer in _consumers(args.consumer):
            moved = redrive_letters(consumer, set(args.ids) if args.ids else None)
            audit_dead_letters("dead_letter.redriven", moved, UnitOfWork())
            print(f"{consumer.dead_letter_queue}: {len(moved)} dead letter(s) put back on {consumer.queue}")
    elif args.command == "discard":
        from shared.platform.dead_letters import discard as discard_letters
        from shared.write.services import audit_dead_letters
        from shared.write.unit_of_work import UnitOfWork

        for consumer in _consumers(args.consumer):
            discarded = discard_letters(consumer, set(args.ids))
            audit_dead_letters("dead_letter.discarded", discarded, UnitOfWork())
            print(f"{consumer.dead_letter_queue}: {len(discarded)} dead letter(s) discarded")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
