-- depends: 0013.card_data_as_printed
-- The merchant's identity (SPEC §12): legal name, address, VAT id, tax number, logo, Kivra
-- service id, as the admin API took them. Banks have the column too, always empty, so one
-- statement reads either kind's state. A party's version orders its events, so the read
-- model keeps the newest state whatever order they arrive in.
ALTER TABLE merchants ADD COLUMN identity jsonb NOT NULL DEFAULT '{}', ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE banks ADD COLUMN identity jsonb NOT NULL DEFAULT '{}', ADD COLUMN version integer NOT NULL DEFAULT 1;
