package extrahoptest

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/trackbridge/trackbridge/extrahop"
	"github.com/trackbridge/trackbridge/internal/inbound/inboundtest"
)

// ODSTarget is an HTTP Open Data Stream target registered with
// [Server.AddODSTarget], with the DETECTION_UPDATE trigger that posts to
// it.
type ODSTarget struct {
	// URL receives the payloads.
	URL string
	// Secret is sent in Header (default extrahop.DefaultODSSecretHeader).
	Secret string
	Header string
	// Retries is how often a payload the receiver does not accept with a
	// 2xx is sent again, at once.
	Retries int
}

// ODSDelivery records one attempt to deliver a trigger payload.
type ODSDelivery = inboundtest.Delivery

// AddODSTarget makes the fake behave as an appliance with a
// DETECTION_UPDATE trigger posting through an HTTP ODS target: every
// detection added ([Server.Add]), changed ([Server.Update]) or updated
// through the API is POSTed as the default payload extrahop.DecodeODS
// reads — the REST detection's JSON plus "event":"DETECTION_UPDATE" —
// with Content-Type application/json and the secret in its header.
// Payloads are sent asynchronously, one at a time, in order;
// [Server.FlushODS] waits for them.
func (s *Server) AddODSTarget(t ODSTarget) {
	header := t.Header
	if header == "" {
		header = extrahop.DefaultODSSecretHeader
	}
	s.ods.Prefix = "ods-"
	s.ods.Add(inboundtest.Target{URL: t.URL, Retries: t.Retries, Header: func(string, []byte) http.Header {
		h := http.Header{}
		h.Set("Content-Type", "application/json")
		if t.Secret != "" {
			h.Set(header, t.Secret)
		}
		return h
	}})
}

// FlushODS waits until every payload due so far was delivered (or given
// up after its retries), or ctx ends.
func (s *Server) FlushODS(ctx context.Context) error { return s.ods.Flush(ctx) }

// ODSDeliveries returns every delivery attempt so far, oldest first.
func (s *Server) ODSDeliveries() []ODSDelivery { return s.ods.Deliveries() }

// triggerLocked queues the payload for d; the caller holds the lock.
func (s *Server) triggerLocked(d *extrahop.Detection) {
	if !s.ods.Active() {
		return
	}
	raw, err := json.Marshal(d)
	if err != nil {
		panic("extrahoptest: ODS payload: " + err.Error())
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		panic("extrahoptest: ODS payload: " + err.Error())
	}
	m["event"] = json.RawMessage(`"` + extrahop.EventDetectionUpdate + `"`)
	body, err := json.Marshal(m)
	if err != nil {
		panic("extrahoptest: ODS payload: " + err.Error())
	}
	s.ods.Send(extrahop.EventDetectionUpdate, body)
}
