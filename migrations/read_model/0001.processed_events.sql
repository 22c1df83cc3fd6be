-- Projections record each event they applied, in the same transaction as their writes,
-- so at-least-once delivery applies exactly once.
CREATE TABLE processed_events (
    consumer text NOT NULL,
    event_id uuid NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
