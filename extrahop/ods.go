package extrahop

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/trackbridge/trackbridge/internal/inbound"
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
// trigger posts through an HTTP Open Data Stream target. It accepts only
// POST, caps the body, checks the shared secret before decoding, and
// answers 204 once every event was handled; 401, 400, 405, 413 and 500
// otherwise.
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
	secret, header, decode, handle := cfg.Secret, cfg.Header, cfg.Decode, cfg.Handle
	return &ODSReceiver{rc: inbound.Receiver{
		Name:    "extrahop ODS receiver",
		MaxBody: cfg.MaxBody,
		Logger:  cfg.Logger,
		Authenticate: func(r *http.Request, _ []byte) error {
			return inbound.CheckToken(r, header, secret)
		},
		Process: func(ctx context.Context, _ *http.Request, body []byte) error {
			events, err := decode(body)
			if err != nil {
				return fmt.Errorf("%w: %v", inbound.ErrMalformed, err)
			}
			for _, ev := range events {
				if err := handle(ctx, ev); err != nil {
					id := int64(0)
					if ev != nil && ev.Detection != nil {
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
