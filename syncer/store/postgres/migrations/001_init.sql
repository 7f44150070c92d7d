-- Schema version 1. Keys sort bytewise (COLLATE "C"), as in every store.
CREATE TABLE links (
	flow            text COLLATE "C" NOT NULL,
	source_tracker  text COLLATE "C" NOT NULL,
	source_id       text COLLATE "C" NOT NULL,
	target_tracker  text        NOT NULL DEFAULT '',
	target_id       text        NOT NULL DEFAULT '',
	state           text        NOT NULL,
	correlation_key text        NOT NULL DEFAULT '',
	field_hashes    jsonb       NOT NULL DEFAULT '{}',
	comments        jsonb       NOT NULL DEFAULT '[]',
	attempts        integer     NOT NULL DEFAULT 0,
	last_error      text        NOT NULL DEFAULT '',
	parked          boolean     NOT NULL DEFAULT false,
	created         timestamptz NOT NULL,
	updated         timestamptz NOT NULL,
	version         bigint      NOT NULL,
	PRIMARY KEY (flow, source_tracker, source_id)
);
CREATE UNIQUE INDEX links_by_target ON links (flow, target_tracker, target_id) WHERE target_id <> '';
CREATE INDEX links_by_state ON links (flow, state, parked);

CREATE TABLE cursors (
	flow    text        NOT NULL,
	side    text        NOT NULL,
	value   text        NOT NULL,
	at      timestamptz NOT NULL,
	version bigint      NOT NULL,
	PRIMARY KEY (flow, side)
);

CREATE TABLE leases (
	key     text        PRIMARY KEY,
	owner   text        NOT NULL,
	token   bigint      NOT NULL,
	expires timestamptz NOT NULL
);

CREATE TABLE events (
	seq            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	flow           text        NOT NULL,
	at             timestamptz NOT NULL,
	kind           text        NOT NULL,
	source_tracker text        NOT NULL DEFAULT '',
	source_id      text        NOT NULL DEFAULT '',
	target_tracker text        NOT NULL DEFAULT '',
	target_id      text        NOT NULL DEFAULT '',
	message        text        NOT NULL DEFAULT '',
	attrs          jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX events_by_flow ON events (flow, seq);
CREATE INDEX events_by_time ON events (at);
