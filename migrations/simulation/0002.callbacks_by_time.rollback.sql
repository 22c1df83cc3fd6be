DROP INDEX sim_callbacks_by_time;
