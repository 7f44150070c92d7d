package extrahop

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/trackbridge/trackbridge/internal/inbound"
	"github.com/trackbridge/trackbridge/tracker"
)

// EventDetectionUpdate is the trigger event the default decoder expects in
// the payload's "event" field.
const EventDetectionUpdate = "DETECTION_UPDATE"

// DefaultODSSecretHeader carries the shared secret unless
// ODSConfig.Header names another header.
const DefaultODSSecretHeader = "X-Trackbridge-Secret"

// DetectionEvent is one detection an ExtraHop trigger posted.
type DetectionEvent struct {
	// Event is the payload's "event" ("DETECTION_UPDATE"), "" when absent.
	Event string
	// Detection holds the fields the trigger sent, decoded as the REST
	// detection is; fields it did not send are zero (or nil).
	Detection *Detection
	// Raw is the event's JSON as it arrived.
	Raw json.RawMessage
	// Delivery is "sha256:<hex>" of the request body, the key replays are
	// refused on, with "#<index>" appended when the body held a list.
	Delivery string
}

// ODSDecoder turns a request body into events. Return an error for input
// that is not a valid payload; the receiver answers 400 and the callback is
// not called.
type ODSDecoder func(body []byte) ([]*DetectionEvent, error)

// DecodeODS is the default [ODSDecoder]. The body is one JSON object, or a
// list of them, each a snake_case mirror of the REST detection (as
// [Detection] decodes it, unknown keys kept in Extra) plus an "event"
// field. Every object needs a positive integer "id".
func DecodeODS(body []byte) ([]*DetectionEvent, error) {
	body = bytes.TrimSpace(body)
	var raws []json.RawMessage
	switch {
	case len(body) == 0:
		return nil, errors.New("extrahop: ODS payload is empty")
	case body[0] == '[':
		if err := json.Unmarshal(body, &raws); err != nil {
			return nil, fmt.Errorf("extrahop: ODS payload: %w", err)
		}
		if len(raws) == 0 {
			return nil, errors.New("extrahop: ODS payload is an empty list")
		}
	case body[0] == '{':
		raws = []json.RawMessage{body}
	default:
		return nil, errors.New("extrahop: ODS payload is not a JSON object or list")
	}
	events := make([]*DetectionEvent, 0, len(raws))
	for i, raw := range raws {
		ev, err := decodeODSEvent(raw)
		if err != nil {
			return nil, fmt.Errorf("extrahop: ODS payload item %d: %w", i, err)
		}
		events = append(events, ev)
	}
	return events, nil
}

func decodeODSEvent(raw json.RawMessage) (*DetectionEvent, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil, errors.New("not a JSON object")
	}
	var d Detection
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, err
	}
	if d.ID <= 0 {
		return nil, errors.New(`no positive integer "id"`)
	}
	ev := &DetectionEvent{Detection: &d, Raw: append(json.RawMessage(nil), raw...)}
	if e, ok := d.Extra["event"]; ok {
		if err := json.Unmarshal(e, &ev.Event); err != nil {
			return nil, fmt.Errorf(`"event" is not a string: %w`, err)
		}
		delete(d.Extra, "event")
		if len(d.Extra) == 0 {
			d.Extra = nil
		}
	}
	return ev, nil
}

// ODSConfig configures an [ODSReceiver].
type ODSConfig struct {
	// Secret is the shared secret the trigger sends; required. It is
	// compared in constant time.
	Secret string
	// Header carries the secret (default [DefaultODSSecretHeader]). For
	// "Authorization", a "Bearer " prefix is accepted.
	Header string
	// MaxBody caps the request body (default 1 MiB); a larger one is
	// answered 413.
	MaxBody int64
	// BodyTimeout bounds the time the body may take to arrive (default
	// 10 s); a slower one gets 408.
	BodyTimeout time.Duration
	// Dedup refuses a body accepted before (default: a
	// [tracker.MemoryDeduper] of 100,000 bodies for 24 hours). The secret
	// is static, so a captured payload could be replayed for ever; the
	// deduper refuses it within its window, whatever headers come with
	// it. Share one between replicas. Two real changes must never post the
	// same body, or the second is refused: keep a time that changes with
	// every update (mod_time, update_time) in a custom trigger's payload.
	Dedup tracker.Deduper
	// Decode turns the body into events (default [DecodeODS]).
	Decode ODSDecoder
	// Handle receives every event, in payload order; required. An error
	// answers 500, so the ODS target sends the payload again: Handle must
	// be idempotent.
	Handle func(ctx context.Context, ev *DetectionEvent) error
	// Logger receives one line per refused or failed delivery; nil logs
	// nothing.
	Logger *slog.Logger
}

// ODSReceiver is an http.Handler for the JSON an ExtraHop DETECTION_UPDATE
// trigger posts through an HTTP Open Data Stream target. In order, it
// answers 405 to anything but POST; 401 when the secret header is missing
// or wrong (compared in constant time, before any of the body is read);
// 415 to a content type other than application/json (charset UTF-8
// allowed) or an encoded body; 413 to a body over the cap; 408 to a body
// that does not arrive in time; 400 to invalid UTF-8 or a payload the
// decoder refuses; 409 to a body it accepted before (see ODSConfig.Dedup);
// 500 when Handle fails (the body is then forgotten, so a retry is
// processed); 204 once every event was handled. Serve it with
// [NewWebhookServer] or the same timeouts.
//
// ExtraHop has no detection webhook. The documented way to push detections
// is a trigger on the DETECTION_UPDATE event that posts JSON through an
// HTTP Open Data Stream (ODS) target:
//
//	// Trigger on DETECTION_UPDATE; ODS target "trackbridge" points at the receiver.
//	const d = Detection;
//	Remote.HTTP("trackbridge").post({
//	    path: "/extrahop/detections",
//	    headers: {"X-Trackbridge-Secret": "<shared secret>", "Content-Type": "application/json"},
//	    // Content-Type is required: the receiver refuses anything but JSON.
//	    payload: JSON.stringify({
//	        event: "DETECTION_UPDATE", id: d.id, title: d.title, description: d.description,
//	        type: d.type, categories: d.categories, risk_score: d.riskScore,
//	        status: d.status, resolution: d.resolution, assignee: d.assignee,
//	        ticket_id: d.ticketId, start_time: d.startTime, end_time: d.endTime,
//	        update_time: d.updateTime, participants: d.participants,
//	        mitre_tactics: d.mitreTactics, mitre_techniques: d.mitreTechniques,
//	    }),
//	});
//
// Only id, title, description and type are documented trigger properties
// of Detection; the other names above are the likely ones, not verified.
// Check them against your firmware's trigger API reference, or write your
// own [ODSDecoder] for the payload your trigger builds.
type ODSReceiver struct {
	rc inbound.Receiver
}

// NewODSReceiver returns a receiver for cfg. It does no I/O.
func NewODSReceiver(cfg ODSConfig) (*ODSReceiver, error) {
	if cfg.Secret == "" {
		return nil, errors.New("extrahop: NewODSReceiver: a shared secret is required")
	}
	if cfg.Handle == nil {
		return nil, errors.New("extrahop: NewODSReceiver: Handle is required")
	}
	if cfg.Header == "" {
		cfg.Header = DefaultODSSecretHeader
	}
	if strings.ContainsAny(cfg.Header, " :\r\n") {
		return nil, fmt.Errorf("extrahop: NewODSReceiver: %q is not a header name", cfg.Header)
	}
	if cfg.MaxBody < 0 {
		return nil, fmt.Errorf("extrahop: NewODSReceiver: MaxBody %d is negative", cfg.MaxBody)
	}
	if cfg.Decode == nil {
		cfg.Decode = DecodeODS
	}
	if cfg.Dedup == nil {
		cfg.Dedup = tracker.NewMemoryDeduper(0, 0)
	}
	secret, header, decode, handle := cfg.Secret, cfg.Header, cfg.Decode, cfg.Handle
	return &ODSReceiver{rc: inbound.Receiver{
		Name:        "extrahop ODS receiver",
		MaxBody:     cfg.MaxBody,
		BodyTimeout: cfg.BodyTimeout,
		Logger:      cfg.Logger,
		Dedup:       cfg.Dedup,
		CheckHeaders: func(r *http.Request) error {
			return inbound.CheckToken(r, header, secret)
		},
		Process: func(ctx context.Context, d *inbound.Delivery) error {
			events, err := decode(d.Body)
			if err != nil {
				return fmt.Errorf("%w: %v", inbound.ErrMalformed, err)
			}
			for i, ev := range events {
				if ev == nil {
					return fmt.Errorf("%w: extrahop: decoder returned a nil event", inbound.ErrMalformed)
				}
				ev.Delivery = d.Digest
				if len(events) > 1 {
					ev.Delivery += "#" + strconv.Itoa(i)
				}
				if err := handle(ctx, ev); err != nil {
					id := int64(0)
					if ev.Detection != nil {
						id = ev.Detection.ID
					}
					return fmt.Errorf("extrahop: handling detection %d: %w", id, err)
				}
			}
			return nil
		},
	}}, nil
}

// ServeHTTP implements http.Handler.
func (r *ODSReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) { r.rc.ServeHTTP(w, req) }

// NewWebhookServer returns an http.Server for addr and h with the
// recommended settings for a public webhook endpoint: ReadHeaderTimeout
// 5 s, ReadTimeout 15 s, WriteTimeout 60 s (the callback's work counts),
// IdleTimeout 60 s, MaxHeaderBytes 64 KiB.
func NewWebhookServer(addr string, h http.Handler) *http.Server { return inbound.NewServer(addr, h) }

// EventReceiver returns an [ODSReceiver] for cfg (whose Handle it sets)
// that turns every detection event into a [tracker.Event] with
// [Adapter.Event] and passes it to fn.
func (a *Adapter) EventReceiver(cfg ODSConfig, fn tracker.EventHandler) (*ODSReceiver, error) {
	if fn == nil {
		return nil, errors.New("extrahop: EventReceiver: nil callback")
	}
	cfg.Handle = func(ctx context.Context, dev *DetectionEvent) error {
		ev, ok, err := a.Event(dev)
		if err != nil || !ok {
			return err
		}
		return fn(ctx, ev)
	}
	return NewODSReceiver(cfg)
}

// odsIssueKeys are the members a payload needs for its detection to be
// converted into a whole issue: without one of them, the issue would show
// that attribute as cleared.
var odsIssueKeys = []string{"title", "description", "type", "categories", "risk_score", "status", "resolution", "assignee", "ticket_id"}

// Event converts a detection event into a [tracker.Event] of kind
// EventIssueChanged (ExtraHop has no deletions or comments); it reports
// false for an "event" other than DETECTION_UPDATE or none.
//
// IssueID and IssueKey are the detection id. Issue is converted by
// [Adapter.Issue], as GetIssue converts what it reads, but only when the
// payload has every member that conversion shows (title, description,
// type, categories, risk_score, status, resolution, assignee, ticket_id);
// members it lacks otherwise (mod_time, create_time, url) stay zero.
// At is mod_time, else update_time; Delivery the body digest; Raw the
// event's JSON, unknown members included.
func (a *Adapter) Event(dev *DetectionEvent) (tracker.Event, bool, error) {
	if dev == nil || dev.Detection == nil || dev.Detection.ID <= 0 {
		return tracker.Event{}, false, fmt.Errorf("%w: extrahop: detection event without an id", inbound.ErrMalformed)
	}
	if dev.Event != "" && dev.Event != EventDetectionUpdate {
		return tracker.Event{}, false, nil
	}
	d := dev.Detection
	id := strconv.FormatInt(d.ID, 10)
	ev := tracker.Event{Kind: tracker.EventIssueChanged, Tracker: a.Kind(), IssueID: id, IssueKey: id,
		Delivery: dev.Delivery, Raw: dev.Raw, At: d.ModTime.Time}
	if ev.At.IsZero() {
		ev.At = d.UpdateTime.Time
	}
	var members map[string]json.RawMessage
	if json.Unmarshal(dev.Raw, &members) == nil {
		complete := true
		for _, k := range odsIssueKeys {
			if _, ok := members[k]; !ok {
				complete = false
				break
			}
		}
		if complete {
			ev.Issue = a.Issue(d)
		}
	}
	return ev, true, nil
}
