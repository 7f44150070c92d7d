-- Schema version 2: failure bookkeeping on links (parked links are listed
-- and retried by hand) and an index for event retention.
ALTER TABLE links ADD COLUMN attempts   INTEGER NOT NULL DEFAULT 0;
ALTER TABLE links ADD COLUMN last_error TEXT    NOT NULL DEFAULT '';
ALTER TABLE links ADD COLUMN parked     INTEGER NOT NULL DEFAULT 0;
CREATE INDEX links_by_state ON links (flow, state, parked);
CREATE INDEX events_by_time ON events (at);
