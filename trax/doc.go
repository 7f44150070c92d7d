// Package trax posts records to a TTS trax postbox, the intake of trax's
// ISMS, and makes a postbox usable as a create-only tracker.
//
// A postbox has a Create endpoint URL and an API token. [New] takes the
// endpoint URL as it is; [Client.Create] posts records as
// {"data":[{"id":…,"attributes":{…}}]} with the token as a bearer token,
// one record per request unless [WithBatchSize] says otherwise. The record
// id is the caller's stable key for the record, so a post repeated after a
// timeout or a 503 is recognisable as the same record; posts are therefore
// retried on 429, 5xx and transport failures. Any 2xx answer is success.
//
// trax publishes no API document. What a postbox captures is its External
// Resource Definition; an [ERD] models it (loaded from YAML or JSON, or
// [DefaultERD] for the name, description, source, classification, contact
// and issue_url attributes), and a client configured [WithERD] refuses a
// record that breaks it before anything is sent, naming the record and
// attribute.
//
// [NewAdapter] wraps a client as a tracker: it implements
// tracker.Creator and tracker.BulkCreator, and, only when the installation
// has a read endpoint ([WithReadEndpoint]), reads records back and finds
// them by marker (tracker.MarkerFinder).
//
// Package traxtest provides a fake postbox for tests and examples.
package trax
