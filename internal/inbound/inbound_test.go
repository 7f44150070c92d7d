package inbound

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/tracker"
)

func TestReceiverStatuses(t *testing.T) {
	t.Parallel()
	secret := []byte("hook-secret")
	good := `{"webhookEvent":"jira:issue_created"}`
	tests := []struct {
		name   string
		method string
		ctype  string
		body   string
		sig    string
		want   int
		called bool
	}{
		{"valid", "POST", "application/json", good, SignHMACSHA256(secret, []byte(good)), 204, true},
		{"charset", "POST", "application/json; charset=UTF-8", good, SignHMACSHA256(secret, []byte(good)), 204, true},
		{"wrong signature", "POST", "application/json", good, SignHMACSHA256([]byte("other"), []byte(good)), 401, false},
		{"missing signature", "POST", "application/json", good, "", 401, false},
		{"not hex", "POST", "application/json", good, "sha256=zz", 401, false},
		{"wrong algorithm", "POST", "application/json", good, "sha1=abcd", 401, false},
		{"oversized", "POST", "application/json", strings.Repeat("x", 2048), "", 413, false},
		{"text/plain", "POST", "text/plain", good, SignHMACSHA256(secret, []byte(good)), 415, false},
		{"invalid utf-8", "POST", "application/json", "{\"a\":\"\xff\"}", SignHMACSHA256(secret, []byte("{\"a\":\"\xff\"}")), 400, false},
		{"malformed", "POST", "application/json", `{`, SignHMACSHA256(secret, []byte(`{`)), 400, true},
		{"get", "GET", "application/json", "", "", 405, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			called := false
			rc := &Receiver{
				MaxBody: 1024,
				Authenticate: func(r *http.Request, body []byte) error {
					return VerifyHMACSHA256(secret, body, r.Header.Get("X-Hub-Signature"))
				},
				Process: func(_ context.Context, d *Delivery) error {
					called = true
					if d.Body[len(d.Body)-1] != '}' {
						return fmt.Errorf("%w: truncated JSON", ErrMalformed)
					}
					return nil
				},
			}
			req := httptest.NewRequest(tt.method, "/hook", strings.NewReader(tt.body))
			req.Header.Set("Content-Type", tt.ctype)
			if tt.sig != "" {
				req.Header.Set("X-Hub-Signature", tt.sig)
			}
			rec := httptest.NewRecorder()
			rc.ServeHTTP(rec, req)
			assert.Equal(t, tt.want, rec.Code)
			assert.Equal(t, tt.called, called)
			assert.NotContains(t, rec.Body.String(), string(secret))
		})
	}
}

func post(body string) *http.Request {
	req := httptest.NewRequest("POST", "/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return req
}

func TestReceiverProcessFailureIs500AndForgets(t *testing.T) {
	t.Parallel()
	fail := true
	rc := &Receiver{Name: "t", Dedup: tracker.NewMemoryDeduper(10, time.Hour), Process: func(context.Context, *Delivery) error {
		if fail {
			return errors.New("store down")
		}
		return nil
	}}
	rec := httptest.NewRecorder()
	rc.ServeHTTP(rec, post("{}"))
	assert.Equal(t, 500, rec.Code, "a failure the sender can retry")
	fail = false
	rec = httptest.NewRecorder()
	rc.ServeHTTP(rec, post("{}"))
	assert.Equal(t, 204, rec.Code, "the retry of a failed delivery is processed")
	rec = httptest.NewRecorder()
	rc.ServeHTTP(rec, post("{}"))
	assert.Equal(t, 409, rec.Code, "a replay of an accepted delivery is refused")
}

type failingDeduper struct{}

func (failingDeduper) Seen(context.Context, string) (bool, error) {
	return false, errors.New("db down")
}
func (failingDeduper) Forget(context.Context, string) error { return nil }

func TestReceiverDedupFailureIs500(t *testing.T) {
	t.Parallel()
	called := false
	rc := &Receiver{Dedup: failingDeduper{}, Process: func(context.Context, *Delivery) error { called = true; return nil }}
	rec := httptest.NewRecorder()
	rc.ServeHTTP(rec, post("{}"))
	assert.Equal(t, 500, rec.Code)
	assert.False(t, called)
}

func TestReceiverChecksHeadersBeforeReadingTheBody(t *testing.T) {
	t.Parallel()
	rc := &Receiver{
		CheckHeaders: func(r *http.Request) error { return CheckToken(r, "X-Token", "tok") },
		Process:      func(context.Context, *Delivery) error { return nil },
	}
	body := &countingReader{}
	req := httptest.NewRequest("POST", "/", body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Token", "wrong")
	rec := httptest.NewRecorder()
	rc.ServeHTTP(rec, req)
	assert.Equal(t, 401, rec.Code)
	assert.Zero(t, body.n, "no byte of the body was read")
	assert.Equal(t, "close", rec.Header().Get("Connection"))
}

type countingReader struct{ n int }

func (c *countingReader) Read(p []byte) (int, error) {
	c.n += len(p)
	return 0, io.EOF
}

// blockingReader blocks until ctx is done, like a client that stops
// sending its body.
type blockingReader struct{ ctx context.Context }

func (b blockingReader) Read([]byte) (int, error) {
	<-b.ctx.Done()
	return 0, b.ctx.Err()
}

func TestReceiverSlowBodyIs408(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	called := false
	rc := &Receiver{Process: func(context.Context, *Delivery) error { called = true; return nil }}
	req := httptest.NewRequestWithContext(ctx, "POST", "/", blockingReader{ctx})
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	rc.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusRequestTimeout, rec.Code)
	assert.False(t, called)
}

// TestReceiverBodyTimeoutOnARealConnection sends headers and part of a body,
// then nothing: the receiver's read deadline answers 408 and closes the
// connection although the server sets no timeouts.
func TestReceiverBodyTimeoutOnARealConnection(t *testing.T) {
	t.Parallel()
	rc := &Receiver{BodyTimeout: 50 * time.Millisecond, Process: func(context.Context, *Delivery) error { return nil }}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":")
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusRequestTimeout, resp.StatusCode)
	assert.True(t, resp.Close, "the server closes the connection")
}

// TestReceiverRefusedConnectionsAreNotHeld opens many connections that
// send a wrong token and then stall in the body: each is answered 401 and
// closed at once, not held until a timeout.
func TestReceiverRefusedConnectionsAreNotHeld(t *testing.T) {
	t.Parallel()
	rc := &Receiver{
		BodyTimeout:  time.Hour, // only the refusal may end these connections
		CheckHeaders: func(r *http.Request) error { return CheckToken(r, "X-Token", "tok") },
		Process:      func(context.Context, *Delivery) error { return nil },
	}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	for range 50 {
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		require.NoError(t, err)
		_, err = io.WriteString(conn, "POST / HTTP/1.1\r\nHost: x\r\nX-Token: wrong\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
		require.NoError(t, err)
		require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
		br := bufio.NewReader(conn)
		resp, err := http.ReadResponse(br, nil)
		require.NoError(t, err)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		_, err = br.ReadByte()
		assert.ErrorIs(t, err, io.EOF, "the server closed the connection")
		conn.Close()
	}
}

func TestCheckContentType(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ctype, enc string
		ok         bool
	}{
		{"application/json", "", true},
		{"application/json; charset=utf-8", "", true},
		{"Application/JSON; charset=\"UTF-8\"", "", true},
		{"application/json", "identity", true},
		{"", "", false},
		{"text/plain", "", false},
		{"application/x-www-form-urlencoded", "", false},
		{"multipart/form-data; boundary=x", "", false},
		{"application/json; charset=latin1", "", false},
		{"application/json; foo=bar", "", false},
		{"application/jsonx", "", false},
		{"application/json;;", "", false},
		{"application/json", "gzip", false},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.ctype != "" {
			h.Set("Content-Type", tt.ctype)
		}
		if tt.enc != "" {
			h.Set("Content-Encoding", tt.enc)
		}
		err := CheckContentType(h)
		if tt.ok {
			assert.NoError(t, err, tt)
		} else {
			assert.ErrorIs(t, err, ErrMediaType, tt)
		}
	}
	h := http.Header{"Content-Type": {"application/json", "text/plain"}}
	assert.ErrorIs(t, CheckContentType(h), ErrMediaType, "two content types")
}

func FuzzCheckContentType(f *testing.F) {
	for _, s := range []string{"application/json", "application/json; charset=utf-8", "text/plain", "a/b; c=\"d\"", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := CheckContentType(http.Header{"Content-Type": {s}})
		if err == nil {
			return
		}
		require.ErrorIs(t, err, ErrMediaType)
		assert.LessOrEqual(t, len(err.Error()), 200, "errors quote at most a bounded part of the header")
	})
}

func TestCheckTime(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	assert.NoError(t, CheckTime(time.Time{}, now, time.Hour, time.Minute))
	assert.NoError(t, CheckTime(now.Add(-59*time.Minute), now, time.Hour, time.Minute))
	assert.NoError(t, CheckTime(now.Add(time.Minute), now, time.Hour, time.Minute))
	assert.ErrorIs(t, CheckTime(now.Add(-61*time.Minute), now, time.Hour, time.Minute), ErrStale)
	assert.ErrorIs(t, CheckTime(now.Add(2*time.Minute), now, time.Hour, time.Minute), ErrStale)
}

func TestNewServer(t *testing.T) {
	t.Parallel()
	h := http.NotFoundHandler()
	s := NewServer(":0", h)
	assert.Equal(t, ServerReadHeaderTimeout, s.ReadHeaderTimeout)
	assert.Equal(t, ServerReadTimeout, s.ReadTimeout)
	assert.Equal(t, ServerWriteTimeout, s.WriteTimeout)
	assert.Equal(t, ServerIdleTimeout, s.IdleTimeout)
	assert.Equal(t, ServerMaxHeaderBytes, s.MaxHeaderBytes)
	assert.Equal(t, ":0", s.Addr)
}

func TestCheckToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header, value string
		ok            bool
	}{
		{"X-Auth-Token", "tok", true},
		{"X-Auth-Token", "tok2", false},
		{"X-Auth-Token", "", false},
		{"Authorization", "Bearer tok", true},
		{"Authorization", "bearer tok", true},
		{"Authorization", "Bearer nope", false},
	}
	for _, tt := range tests {
		req := httptest.NewRequest("POST", "/", nil)
		if tt.value != "" {
			req.Header.Set(tt.header, tt.value)
		}
		err := CheckToken(req, tt.header, "tok")
		if tt.ok {
			assert.NoError(t, err, tt)
		} else {
			assert.ErrorIs(t, err, ErrUnauthenticated, tt)
			if err != nil {
				assert.NotContains(t, err.Error(), "tok ")
			}
		}
	}
	assert.False(t, TokenEqual("", ""), "an empty expected token never matches")
}

func TestDigest(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", Digest([]byte("{}")))
}

func TestReadBodyHonoursContentLength(t *testing.T) {
	t.Parallel()
	req := httptest.NewRequest("POST", "/", strings.NewReader("small"))
	req.ContentLength = 10 << 20
	_, err := ReadBody(req, 1024)
	require.ErrorIs(t, err, ErrTooLarge)
}
