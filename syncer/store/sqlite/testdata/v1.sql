-- A database as schema version 1 left it, with data, frozen: the migration
-- test opens it with the current code. Never edit.
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

CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version (version) VALUES (1);

INSERT INTO links VALUES ('ehop-jira', 'extrahop', 'det-1', 'jira', 'SEC-1', 'linked', 'tb-1',
	'{"target.summary":"s1","target.priority":"p1"}',
	'[{"source_id":"c1","target_id":"10001","hash":"h1"},{"source_id":"c2","target_id":"10002","hash":"h2","deleted":true,"deleted_at":"2025-06-01T10:00:00Z"}]',
	1748772000000000000, 1748775600000000000, 7);
INSERT INTO links VALUES ('ehop-jira', 'extrahop', 'det-2', '', '', 'pending', 'tb-2', '{}', '[]',
	1748772000000000000, 1748772000000000000, 1);
INSERT INTO cursors VALUES ('ehop-jira', 'source', 'page-9', 1748775600000000000, 3);
INSERT INTO leases VALUES ('ehop-jira/det-1', 'replica-1', 4, 1748775660000000000);
INSERT INTO events (flow, at, kind, source_tracker, source_id, target_tracker, target_id, message, attrs)
	VALUES ('ehop-jira', 1748772000000000000, 'created', 'extrahop', 'det-1', 'jira', 'SEC-1', 'created SEC-1', '{"fields":"summary"}');
