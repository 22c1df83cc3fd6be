-- depends: 0011.settlement
-- A callback is leased for its attempt: the attempt sends with no transaction open (a slow
-- receiver holds no database connection), and a crash mid-attempt only delays the next
-- one until the lease runs out.
ALTER TABLE callbacks ADD COLUMN leased_until timestamptz;
