-- depends: 0001.simulated_parties
-- make demo follows its run by the time the receivers took each callback.
CREATE INDEX sim_callbacks_by_time ON sim_callbacks (received_at);
