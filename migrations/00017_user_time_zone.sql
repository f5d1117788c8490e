-- +goose Up
-- Each user's time zone, an IANA name such as Europe/Berlin; '' is UTC. Pages show times in it,
-- and the times a user types into a form are read in it.
ALTER TABLE users ADD COLUMN time_zone text NOT NULL DEFAULT ''
    CONSTRAINT users_time_zone_check CHECK (length(time_zone) <= 64);

-- +goose Down
ALTER TABLE users DROP COLUMN time_zone;
