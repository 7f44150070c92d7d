-- Schema version 1: links, cursors, leases, events.
CREATE TABLE links (
	flow            TEXT    NOT NULL,
	source_tracker  TEXT    NOT NULL,
	source_id       TEXT    NOT NULL,
	target_tracker  TEXT    NOT NULL DEFAULT '',
	target_id       TEXT    NOT NULL DEFAULT '',
	state           TEXT    NOT NULL,
	correlation_key TEXT    NOT NULL DEFAULT '',
	field_hashes    TEXT    NOT NULL DEFAULT '{}',
	comments        TEXT    NOT NULL DEFAULT '[]',
	created         INTEGER NOT NULL,
	updated         INTEGER NOT NULL,
	version         INTEGER NOT NULL,
	PRIMARY KEY (flow, source_tracker, source_id)
);
CREATE UNIQUE INDEX links_by_target ON links (flow, target_tracker, target_id) WHERE target_id <> '';

CREATE TABLE cursors (
	flow    TEXT    NOT NULL,
	side    TEXT    NOT NULL,
	value   TEXT    NOT NULL,
	at      INTEGER NOT NULL,
	version INTEGER NOT NULL,
	PRIMARY KEY (flow, side)
);

CREATE TABLE leases (
	key     TEXT    PRIMARY KEY,
	owner   TEXT    NOT NULL,
	token   INTEGER NOT NULL,
	expires INTEGER NOT NULL
);

CREATE TABLE events (
	seq            INTEGER PRIMARY KEY AUTOINCREMENT,
	flow           TEXT    NOT NULL,
	at             INTEGER NOT NULL,
	kind           TEXT    NOT NULL,
	source_tracker TEXT    NOT NULL DEFAULT '',
	source_id      TEXT    NOT NULL DEFAULT '',
	target_tracker TEXT    NOT NULL DEFAULT '',
	target_id      TEXT    NOT NULL DEFAULT '',
	message        TEXT    NOT NULL DEFAULT '',
	attrs          TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX events_by_flow ON events (flow, seq);
