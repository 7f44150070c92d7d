// Package inbound holds what every webhook receiver in trackbridge shares:
// a size-capped, time-limited body, constant-time token and HMAC checks,
// JSON-only content types, replay refusal on a digest of the body, the
// recommended http.Server settings, and an http.Handler skeleton that maps
// each failure to the right status so forged, replayed, oversized, slow or
// malformed requests never reach a callback.
package inbound

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trackbridge/trackbridge/tracker"
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
	// ErrMediaType: the content type is not JSON or the body is encoded
	// (415).
	ErrMediaType = errors.New("webhook: unsupported media type")
	// ErrReplay: the same body was accepted before within the dedupe
	// window (409).
	ErrReplay = errors.New("webhook: replayed delivery")
	// ErrStale: the payload's own time is too old, or too far in the
	// future, to be checked against the dedupe window (400).
	ErrStale = errors.New("webhook: stale delivery")
	// ErrTimeout: the body did not arrive in time (408).
	ErrTimeout = errors.New("webhook: body read timed out")
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
		if isTimeout(r.Context(), err) {
			return nil, fmt.Errorf("%w: %w", ErrTimeout, err)
		}
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

// isTimeout reports whether a body read failed because a deadline passed
// or the request was cancelled.
func isTimeout(ctx context.Context, err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, context.Canceled) || (errors.As(err, &ne) && ne.Timeout()) || ctx.Err() != nil
}

// CheckContentType accepts application/json, optionally with a charset
// parameter naming UTF-8, and no Content-Encoding but identity. Anything
// else (text/plain, forms, gzip, other parameters) is ErrMediaType.
func CheckContentType(h http.Header) error {
	if enc := h.Values("Content-Encoding"); len(enc) > 0 && !(len(enc) == 1 && strings.EqualFold(strings.TrimSpace(enc[0]), "identity")) {
		return fmt.Errorf("%w: content encoding %s", ErrMediaType, quote(strings.Join(enc, ",")))
	}
	cts := h.Values("Content-Type")
	if len(cts) != 1 {
		return fmt.Errorf("%w: want one Content-Type application/json, got %d", ErrMediaType, len(cts))
	}
	mt, params, err := mime.ParseMediaType(cts[0])
	if err != nil {
		return fmt.Errorf("%w: %s is not a media type", ErrMediaType, quote(cts[0]))
	}
	if mt != "application/json" {
		return fmt.Errorf("%w: %s, want application/json", ErrMediaType, quote(mt))
	}
	for k, v := range params {
		if k != "charset" {
			return fmt.Errorf("%w: parameter %s", ErrMediaType, quote(k))
		}
		if !strings.EqualFold(v, "utf-8") && !strings.EqualFold(v, "utf8") {
			return fmt.Errorf("%w: charset %s, want utf-8", ErrMediaType, quote(v))
		}
	}
	return nil
}

// quote quotes a header value for an error message, keeping at most
// about 100 bytes of the quoted form: escapes can make it four times
// longer than the value.
func quote(s string) string {
	q := strconv.Quote(s)
	if len(q) > 96 {
		q = q[:92] + `..."`
	}
	return q
}

// Digest returns the key a receiver dedupes a body on: "sha256:<hex>".
func Digest(body []byte) string {
	sum := sha256.Sum256(body)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// CheckTime refuses a payload time older than maxAge or more than skew in
// the future, with an error matching ErrStale. A zero at passes: the
// caller decides whether a time is required.
func CheckTime(at, now time.Time, maxAge, skew time.Duration) error {
	if at.IsZero() {
		return nil
	}
	if age := now.Sub(at); age > maxAge {
		return fmt.Errorf("%w: sent %s ago, limit %s", ErrStale, age.Round(time.Second), maxAge)
	}
	if ahead := at.Sub(now); ahead > skew {
		return fmt.Errorf("%w: dated %s in the future, limit %s", ErrStale, ahead.Round(time.Second), skew)
	}
	return nil
}

// Delivery is an authenticated request as Process sees it.
type Delivery struct {
	Request *http.Request
	// Body is the raw body, valid UTF-8.
	Body []byte
	// Digest is Digest(Body), the dedupe key without the receiver prefix.
	Digest string
}

// DefaultBodyTimeout limits how long a receiver waits for a body when it
// sets none.
const DefaultBodyTimeout = 10 * time.Second

// Receiver is the skeleton of a webhook endpoint. ServeHTTP, in order:
// accepts only POST (405); runs CheckHeaders, before any of the body is
// read (401); accepts only JSON (415); reads the body within MaxBody (413)
// and BodyTimeout (408); refuses invalid UTF-8 (400); runs Authenticate on
// the raw body (401); refuses a body Dedup has seen within its window
// (409); runs Process (400 malformed or stale, 401, 500 otherwise, so the
// sender retries and nothing is lost; the body is then forgotten by
// Dedup); answers 204. A refused request's connection is closed without
// reading the rest of its body.
type Receiver struct {
	// Name prefixes log lines and dedupe keys ("jira webhook").
	Name    string
	MaxBody int64
	// BodyTimeout bounds the body read (DefaultBodyTimeout when zero),
	// through the connection's read deadline where the server supports
	// it, whatever the server's own timeouts.
	BodyTimeout time.Duration
	// CheckHeaders authenticates from the headers alone, before the body
	// is read (token receivers); return an error matching
	// ErrUnauthenticated to refuse.
	CheckHeaders func(r *http.Request) error
	// Authenticate checks the request and its raw body (HMAC receivers);
	// return an error matching ErrUnauthenticated to refuse it.
	Authenticate func(r *http.Request, body []byte) error
	// Dedup refuses replays of an accepted body; nil accepts them.
	Dedup tracker.Deduper
	// Process decodes the body and hands events on; return an error
	// matching ErrMalformed or ErrStale for bad input.
	Process func(ctx context.Context, d *Delivery) error
	// Logger receives one line per refused or failed delivery; nil logs
	// nothing.
	Logger *slog.Logger
}

// ServeHTTP implements http.Handler.
func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		rc.refuse(w, r, http.StatusMethodNotAllowed, fmt.Errorf("webhook: method %s not allowed", quote(r.Method)))
		return
	}
	if rc.CheckHeaders != nil {
		if err := rc.CheckHeaders(r); err != nil {
			rc.refuse(w, r, http.StatusUnauthorized, err)
			return
		}
	}
	if err := CheckContentType(r.Header); err != nil {
		rc.refuse(w, r, http.StatusUnsupportedMediaType, err)
		return
	}
	timeout := rc.BodyTimeout
	if timeout <= 0 {
		timeout = DefaultBodyTimeout
	}
	ctl := http.NewResponseController(w)
	_ = ctl.SetReadDeadline(time.Now().Add(timeout)) // not every ResponseWriter supports it
	body, err := ReadBody(r, rc.MaxBody)
	if err != nil {
		status := http.StatusBadRequest
		switch {
		case errors.Is(err, ErrTooLarge):
			status = http.StatusRequestEntityTooLarge
		case errors.Is(err, ErrTimeout):
			status = http.StatusRequestTimeout
		}
		rc.refuse(w, r, status, err)
		return
	}
	_ = ctl.SetReadDeadline(time.Time{})
	if !utf8.Valid(body) {
		rc.refuse(w, r, http.StatusBadRequest, fmt.Errorf("%w: body is not valid UTF-8", ErrMalformed))
		return
	}
	if rc.Authenticate != nil {
		if err := rc.Authenticate(r, body); err != nil {
			rc.refuse(w, r, http.StatusUnauthorized, err)
			return
		}
	}
	d := &Delivery{Request: r, Body: body, Digest: Digest(body)}
	key := rc.Name + ":" + d.Digest
	if rc.Dedup != nil {
		seen, err := rc.Dedup.Seen(r.Context(), key)
		if err != nil {
			rc.refuse(w, r, http.StatusInternalServerError, fmt.Errorf("webhook: dedupe: %w", err))
			return
		}
		if seen {
			rc.refuse(w, r, http.StatusConflict, fmt.Errorf("%w: body %s", ErrReplay, d.Digest))
			return
		}
	}
	if err := rc.Process(r.Context(), d); err != nil {
		if rc.Dedup != nil {
			if ferr := rc.Dedup.Forget(context.WithoutCancel(r.Context()), key); ferr != nil {
				err = errors.Join(err, fmt.Errorf("webhook: dedupe: %w", ferr))
			}
		}
		status := http.StatusInternalServerError
		switch {
		case errors.Is(err, ErrMalformed), errors.Is(err, ErrStale):
			status = http.StatusBadRequest
		case errors.Is(err, ErrUnauthenticated):
			status = http.StatusUnauthorized
		}
		rc.fail(w, r, status, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// refuse answers a request the receiver will not process and makes the
// server close the connection instead of draining an unread body.
func (rc *Receiver) refuse(w http.ResponseWriter, r *http.Request, status int, err error) {
	w.Header().Set("Connection", "close")
	_ = http.NewResponseController(w).SetReadDeadline(time.Now())
	rc.fail(w, r, status, err)
}

func (rc *Receiver) fail(w http.ResponseWriter, r *http.Request, status int, err error) {
	if rc.Logger != nil {
		rc.Logger.WarnContext(r.Context(), "webhook refused", "receiver", rc.Name, "status", status, "error", err)
	}
	// The reason goes back to the sender, but never more than the error
	// text, which never holds a secret.
	http.Error(w, http.StatusText(status)+": "+err.Error(), status)
}

// Recommended server timeouts for a webhook endpoint; see NewServer.
const (
	ServerReadHeaderTimeout = 5 * time.Second
	ServerReadTimeout       = 15 * time.Second
	ServerWriteTimeout      = 60 * time.Second
	ServerIdleTimeout       = 60 * time.Second
	ServerMaxHeaderBytes    = 64 << 10
)

// NewServer returns an http.Server for addr and h with the recommended
// settings for a public webhook endpoint: headers within 5 s, the whole
// request within 15 s, the response within 60 s (the callback's work
// counts), idle keep-alive connections closed after 60 s, and headers of
// at most 64 KiB.
func NewServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: ServerReadHeaderTimeout,
		ReadTimeout:       ServerReadTimeout,
		WriteTimeout:      ServerWriteTimeout,
		IdleTimeout:       ServerIdleTimeout,
		MaxHeaderBytes:    ServerMaxHeaderBytes,
	}
}
