// Package inboundtest builds the requests the webhook receivers' table
// tests send: good deliveries and every kind of bad one, including bodies
// that never arrive.
package inboundtest

import (
	"bytes"
	"cmp"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// Request is one request to a receiver. The zero value is a POST with an
// empty JSON body.
type Request struct {
	// Method defaults to POST.
	Method string
	// Target defaults to "/hooks".
	Target string
	// ContentType defaults to application/json; "-" sends none.
	ContentType string
	Header      map[string]string
	Body        []byte
	// Slow sends a body that never arrives: its reader blocks until the
	// request's context, which ends after SlowAfter (default 20 ms), is
	// done.
	Slow      bool
	SlowAfter time.Duration
	// Length, when non-zero, is the Content-Length claimed.
	Length int64
}

// BlockingBody blocks every Read until Ctx is done, like a client that
// stops sending; the Read then fails with the context's error.
type BlockingBody struct{ Ctx context.Context }

// Read implements io.Reader.
func (b BlockingBody) Read([]byte) (int, error) {
	<-b.Ctx.Done()
	return 0, b.Ctx.Err()
}

// Serve sends the request to h and returns the recorded answer.
func (r Request) Serve(t testing.TB, h http.Handler) *httptest.ResponseRecorder {
	t.Helper()
	var body io.Reader = bytes.NewReader(r.Body)
	ctx := t.Context()
	if r.Slow {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cmp.Or(r.SlowAfter, 20*time.Millisecond))
		defer cancel()
		body = BlockingBody{ctx}
	}
	req := httptest.NewRequestWithContext(ctx, cmp.Or(r.Method, http.MethodPost), cmp.Or(r.Target, "/hooks"), body)
	if r.Length != 0 {
		req.ContentLength = r.Length
	}
	switch r.ContentType {
	case "":
		req.Header.Set("Content-Type", "application/json")
	case "-":
	default:
		req.Header.Set("Content-Type", r.ContentType)
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// With returns a copy of h with the pairs kv set.
func With(h map[string]string, kv ...string) map[string]string {
	out := make(map[string]string, len(h)+len(kv)/2)
	for k, v := range h {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}
