// Package inbound holds what every webhook receiver in trackbridge shares:
// a size-capped body, constant-time token and HMAC checks, delivery
// de-duplication, and an http.Handler skeleton that maps each failure to the
// right status so forged, oversized or malformed requests never reach a
// callback.
package inbound

import (
	"container/list"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

// DefaultMaxBody caps a webhook body when a receiver sets no cap.
const DefaultMaxBody = 1 << 20

// Errors a receiver's steps return; Handler maps them to statuses.
var (
	// ErrUnauthenticated: missing or wrong token or signature (401).
	ErrUnauthenticated = errors.New("webhook: unauthenticated")
	// ErrTooLarge: the body exceeds the cap (413).
	ErrTooLarge = errors.New("webhook: body too large")
	// ErrMalformed: the body cannot be decoded (400).
	ErrMalformed = errors.New("webhook: malformed body")
)

// ReadBody reads r.Body up to max bytes (DefaultMaxBody when max <= 0). A
// longer body yields an error matching ErrTooLarge.
func ReadBody(r *http.Request, max int64) ([]byte, error) {
	if max <= 0 {
		max = DefaultMaxBody
	}
	if r.ContentLength > max {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, r.ContentLength, max)
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("webhook: reading body: %w", err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, max)
	}
	return data, nil
}

// TokenEqual compares a presented token with the expected one in constant
// time, including their lengths. An empty expected token never matches.
func TokenEqual(got, want string) bool {
	if want == "" {
		return false
	}
	g := sha256.Sum256([]byte(got))
	w := sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

// CheckToken verifies a shared token sent in header (for "Authorization",
// a "Bearer " prefix is accepted). It returns an error matching
// ErrUnauthenticated that never contains either token.
func CheckToken(r *http.Request, header, want string) error {
	got := r.Header.Get(header)
	if got == "" {
		return fmt.Errorf("%w: no %s header", ErrUnauthenticated, header)
	}
	if strings.EqualFold(header, "Authorization") {
		if len(got) > 7 && strings.EqualFold(got[:7], "bearer ") {
			got = got[7:]
		}
	}
	if !TokenEqual(got, want) {
		return fmt.Errorf("%w: wrong %s", ErrUnauthenticated, header)
	}
	return nil
}

// VerifyHMACSHA256 checks a WebSub-style signature header
// ("sha256=<hex HMAC-SHA256(secret, body)>") over the raw body, in constant
// time.
func VerifyHMACSHA256(secret, body []byte, header string) error {
	if header == "" {
		return fmt.Errorf("%w: no signature", ErrUnauthenticated)
	}
	algo, sig, ok := strings.Cut(header, "=")
	if !ok || !strings.EqualFold(algo, "sha256") {
		return fmt.Errorf("%w: signature is not sha256=<hex>", ErrUnauthenticated)
	}
	got, err := hex.DecodeString(strings.TrimSpace(sig))
	if err != nil {
		return fmt.Errorf("%w: signature is not hex", ErrUnauthenticated)
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return fmt.Errorf("%w: signature does not match", ErrUnauthenticated)
	}
	return nil
}

// SignHMACSHA256 returns the header value VerifyHMACSHA256 accepts; for
// tests and fake servers.
func SignHMACSHA256(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Dedup remembers recently seen delivery ids, bounded in count and age, so
// a redelivered webhook reaches the callback once. It is safe for
// concurrent use.
type Dedup struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	now   func() time.Time
	order *list.List // of dedupEntry, oldest first
	seen  map[string]*list.Element
}

type dedupEntry struct {
	id string
	at time.Time
}

// NewDedup returns a Dedup keeping at most max ids for at most ttl. A nil
// now means time.Now.
func NewDedup(max int, ttl time.Duration, now func() time.Time) *Dedup {
	if max <= 0 {
		max = 10000
	}
	if ttl <= 0 {
		ttl = 72 * time.Hour
	}
	if now == nil {
		now = time.Now
	}
	return &Dedup{max: max, ttl: ttl, now: now, order: list.New(), seen: map[string]*list.Element{}}
}

// Seen records id and reports whether it was already recorded. An empty id
// is never a duplicate.
func (d *Dedup) Seen(id string) bool {
	if id == "" {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.now()
	for e := d.order.Front(); e != nil; e = d.order.Front() {
		ent := e.Value.(dedupEntry)
		if now.Sub(ent.at) < d.ttl && d.order.Len() <= d.max {
			break
		}
		d.order.Remove(e)
		delete(d.seen, ent.id)
	}
	if _, ok := d.seen[id]; ok {
		return true
	}
	d.seen[id] = d.order.PushBack(dedupEntry{id: id, at: now})
	return false
}

// Forget removes id, so a delivery whose processing failed is accepted
// again when the sender retries it.
func (d *Dedup) Forget(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if e, ok := d.seen[id]; ok {
		d.order.Remove(e)
		delete(d.seen, id)
	}
}

// Receiver is the skeleton of a webhook endpoint. ServeHTTP accepts only
// POST, reads the body through MaxBody, runs Authenticate, then Process.
// Statuses: 405 wrong method, 413 too large, 401 unauthenticated, 400
// malformed, 500 when Process fails otherwise (so the sender retries and
// nothing is lost), 204 on success.
type Receiver struct {
	// Name prefixes log lines ("jira webhook").
	Name    string
	MaxBody int64
	// Authenticate checks the request and its raw body; return an error
	// matching ErrUnauthenticated to refuse it.
	Authenticate func(r *http.Request, body []byte) error
	// Process decodes the body and hands events on; return an error
	// matching ErrMalformed for bad input.
	Process func(ctx context.Context, r *http.Request, body []byte) error
	// Logger receives one line per refused or failed delivery; nil logs
	// nothing.
	Logger *slog.Logger
}

// ServeHTTP implements http.Handler.
func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		rc.fail(w, r, http.StatusMethodNotAllowed, fmt.Errorf("webhook: method %s not allowed", r.Method))
		return
	}
	body, err := ReadBody(r, rc.MaxBody)
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, ErrTooLarge) {
			status = http.StatusRequestEntityTooLarge
		}
		rc.fail(w, r, status, err)
		return
	}
	if rc.Authenticate != nil {
		if err := rc.Authenticate(r, body); err != nil {
			rc.fail(w, r, http.StatusUnauthorized, err)
			return
		}
	}
	if err := rc.Process(r.Context(), r, body); err != nil {
		status := http.StatusInternalServerError
		switch {
		case errors.Is(err, ErrMalformed):
			status = http.StatusBadRequest
		case errors.Is(err, ErrUnauthenticated):
			status = http.StatusUnauthorized
		}
		rc.fail(w, r, status, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (rc *Receiver) fail(w http.ResponseWriter, r *http.Request, status int, err error) {
	if rc.Logger != nil {
		rc.Logger.WarnContext(r.Context(), "webhook refused", "receiver", rc.Name, "status", status, "error", err)
	}
	// The reason goes back to the sender, but never more than the error
	// text, which never holds a secret.
	http.Error(w, http.StatusText(status)+": "+err.Error(), status)
}
