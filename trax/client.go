package trax

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/time/rate"

	"github.com/trackbridge/trackbridge/internal/rest"
	"github.com/trackbridge/trackbridge/tracker"
)

// Response is a completed HTTP response of the postbox; its body has been
// read and closed.
type Response = rest.Response

// DefaultBatchSize is how many records one request carries unless
// [WithBatchSize] says otherwise. trax documents no limit, so one record
// per request is the safe default: a refused request then names exactly
// one record.
const DefaultBatchSize = 1

// idPlaceholder stands for {id} while a read endpoint template is parsed.
const idPlaceholder = "trax-record-id-placeholder"

// MaxIDLen bounds a record id.
const MaxIDLen = 255

// Record is one entry posted to a postbox: the caller's stable id and the
// attributes the postbox's ERD defines. Because the id is the caller's key,
// posting the same record again is harmless, which is what makes retries
// of a post safe.
type Record struct {
	ID         string         `json:"id"`
	Attributes map[string]any `json:"attributes"`
}

// StoredRecord is a record as a read endpoint returns it (see
// [WithReadEndpoint]).
type StoredRecord struct {
	Record
	// Meta holds what the postbox says about the record beyond its
	// attributes, such as status, created and updated.
	Meta map[string]any `json:"meta,omitempty"`
}

// envelope is the JSON:API-like body of a post.
type envelope struct {
	Data []Record `json:"data"`
}

// Client posts records to one trax postbox. It is safe for concurrent use.
type Client struct {
	rest     *rest.Client
	path     string     // the postbox URL's last path segment, escaped
	query    url.Values // the postbox URL's query, if any
	postbox  string     // sanitised postbox URL, for messages
	read     *rest.Client
	readTmpl *url.URL // path holds "{id}"
	opts     options
}

type options struct {
	cfg          rest.Config
	token        string
	batchSize    int
	erd          *ERD
	recordURL    string
	readEndpoint string
}

// Option configures a [Client].
type Option func(*options) error

// WithToken authenticates every request with the postbox's API token as a
// bearer token.
func WithToken(token string) Option {
	return func(o *options) error {
		if strings.TrimSpace(token) == "" {
			return errors.New("trax: empty token")
		}
		o.token = token
		return nil
	}
}

// common adapts a shared rest option to a trax [Option].
func common(o rest.ConfigOption) Option {
	return func(opts *options) error {
		if err := o(&opts.cfg); err != nil {
			return fmt.Errorf("trax: %w", err)
		}
		return nil
	}
}

// WithHTTPClient supplies the transport and timeout; authentication and
// retries are layered on top.
func WithHTTPClient(hc *http.Client) Option { return common(rest.WithHTTPClient(hc)) }

// WithLimiter paces every request. Share one limiter between all clients of
// one trax tenant.
func WithLimiter(l *rate.Limiter) Option { return common(rest.WithLimiter(l)) }

// WithMaxRetries bounds retries after the first attempt (default 4); 0
// disables them.
func WithMaxRetries(n int) Option { return common(rest.WithMaxRetries(n)) }

// WithMaxRetryAfter caps how long the client waits when the postbox says
// Retry-After; past it the call fails with an error matching
// tracker.ErrRateLimited.
func WithMaxRetryAfter(d time.Duration) Option { return common(rest.WithMaxRetryAfter(d)) }

// WithRetryWait bounds the exponential backoff between retries.
func WithRetryWait(min, max time.Duration) Option { return common(rest.WithRetryWait(min, max)) }

// WithLogger receives debug lines for requests and retries.
func WithLogger(l *slog.Logger) Option { return common(rest.WithLogger(l)) }

// WithUserAgent is prepended to the User-Agent trackbridge sends.
func WithUserAgent(ua string) Option { return common(rest.WithUserAgent(ua)) }

// WithMaxConns sizes the idle connection pool to the concurrency in use.
func WithMaxConns(n int) Option { return common(rest.WithMaxConns(n)) }

// WithInsecureHTTP permits sending the token over plain http to a host
// other than loopback. Only for test installations.
func WithInsecureHTTP() Option { return common(rest.WithInsecureHTTP()) }

// WithBatchSize sets how many records one request carries (default
// [DefaultBatchSize]). Larger batches mean fewer requests, but a refused
// batch refuses all its records.
func WithBatchSize(n int) Option {
	return func(o *options) error {
		if n <= 0 {
			return fmt.Errorf("trax: batch size %d must be positive", n)
		}
		o.batchSize = n
		return nil
	}
}

// WithERD makes the client check every record against the postbox's
// definition before anything is sent; see [ERD.Validate]. Without it the
// client checks only the record ids and leaves the attributes to the
// postbox. [DefaultERD] defines the S1 attributes.
func WithERD(e *ERD) Option {
	return func(o *options) error {
		if e == nil {
			return errors.New("trax: nil ERD")
		}
		if err := e.Check(); err != nil {
			return err
		}
		o.erd = e
		return nil
	}
}

// WithRecordURL sets a template for links to records in trax's web UI,
// "{id}" standing for the path-escaped record id
// ("https://trax.example.com/cip/records/{id}").
func WithRecordURL(template string) Option {
	return func(o *options) error {
		if strings.Count(template, "{id}") != 1 {
			return fmt.Errorf("trax: record URL template %q must contain {id} once", template)
		}
		u, err := url.Parse(strings.Replace(template, "{id}", "x", 1))
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("trax: record URL template %q is not an absolute http(s) URL", template)
		}
		o.recordURL = template
		return nil
	}
}

// WithReadEndpoint sets a URL template from which one record can be read
// back, "{id}" standing for the path-escaped record id
// ("https://trax.example.com/api/records/{id}"): a GET answers with the
// record or 404. trax documents no such endpoint; set it only when the
// installation has one. It enables [Client.Get] and, in the adapter,
// GetIssue and marker lookup. The token is sent to it as to the postbox.
func WithReadEndpoint(template string) Option {
	return func(o *options) error {
		if strings.Count(template, "{id}") != 1 {
			return fmt.Errorf("trax: read endpoint template %q must contain {id} once", template)
		}
		o.readEndpoint = template
		return nil
	}
}

// New returns a client of the postbox whose Create endpoint is postboxURL;
// records are posted to exactly that URL, nothing is added to its path. It
// does no I/O.
func New(postboxURL string, opts ...Option) (*Client, error) {
	o := options{batchSize: DefaultBatchSize}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	u, err := url.Parse(postboxURL)
	if err != nil {
		return nil, fmt.Errorf("trax: postbox URL: %w", err)
	}
	// rest keeps a base URL's path as a prefix ending in "/", so the
	// postbox URL is split into its directory (the base) and its last
	// segment (the request path); the result is the URL as given.
	dir, last := u.EscapedPath(), ""
	if i := strings.LastIndex(dir, "/"); i >= 0 {
		dir, last = dir[:i+1], dir[i+1:]
	} else {
		dir, last = "/", dir
	}
	base := *u
	base.RawQuery, base.Fragment = "", ""
	if err := setEscapedPath(&base, dir); err != nil {
		return nil, fmt.Errorf("trax: postbox URL: %w", err)
	}
	rc, err := rest.New(o.restConfig(base.String()))
	if err != nil {
		return nil, err
	}
	c := &Client{rest: rc, path: last, postbox: rest.SanitizeURL(u), opts: o}
	if u.RawQuery != "" {
		c.query = u.Query()
	}
	if o.readEndpoint != "" {
		t, err := url.Parse(strings.Replace(o.readEndpoint, "{id}", idPlaceholder, 1))
		if err != nil || t.Host == "" || !strings.Contains(t.EscapedPath(), idPlaceholder) {
			return nil, fmt.Errorf("trax: read endpoint template %q is not an absolute URL with {id} in its path", o.readEndpoint)
		}
		root := url.URL{Scheme: t.Scheme, Host: t.Host, Path: "/"}
		c.read, err = rest.New(o.restConfig(root.String()))
		if err != nil {
			return nil, err
		}
		c.readTmpl = t
	}
	// The rest clients hold the token now; a copy here would show when
	// an adapter holding c is printed with a verb fmt has no method for.
	c.opts.token = ""
	return c, nil
}

func setEscapedPath(u *url.URL, escaped string) error {
	p, err := url.PathUnescape(escaped)
	if err != nil {
		return err
	}
	u.Path, u.RawPath = p, escaped
	return nil
}

func (o *options) restConfig(base string) rest.Config {
	cfg := o.cfg
	cfg.Vendor, cfg.BaseURL = "trax", base
	if o.token != "" {
		cfg.Auth = rest.Bearer(o.token)
	}
	return cfg
}

// String describes the client without its token.
func (c *Client) String() string {
	erd := "none"
	if c.opts.erd != nil {
		erd = c.opts.erd.label()
	}
	return fmt.Sprintf("trax.Client{postbox: %s, batch: %d, erd: %s, read: %t, %s}", c.postbox, c.opts.batchSize, erd, c.read != nil, c.rest)
}

// Format prints the client as String does for every verb, so %+v and %#v
// cannot reach the token.
func (c *Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// ERD returns the definition records are checked against, or nil.
func (c *Client) ERD() *ERD { return c.opts.erd }

// BatchSize returns how many records one request carries.
func (c *Client) BatchSize() int { return c.opts.batchSize }

// CanRead reports whether a read endpoint is configured.
func (c *Client) CanRead() bool { return c.read != nil }

// RecordURL returns the link to a record in trax's UI, or "" when no
// template is configured (see [WithRecordURL]).
func (c *Client) RecordURL(id string) string {
	if c.opts.recordURL == "" {
		return ""
	}
	return strings.Replace(c.opts.recordURL, "{id}", url.PathEscape(id), 1)
}

// CheckID reports whether id can serve as a record id: 1 to [MaxIDLen]
// bytes of valid UTF-8 without control characters.
func CheckID(id string) error {
	switch {
	case id == "":
		return errors.New("empty id")
	case len(id) > MaxIDLen:
		return fmt.Errorf("id is %d bytes long, more than %d", len(id), MaxIDLen)
	case !utf8.ValidString(id):
		return errors.New("id is not valid UTF-8")
	case strings.IndexFunc(id, unicode.IsControl) >= 0:
		return errors.New("id contains a control character")
	}
	return nil
}

// Validate checks one record as Create does before sending: its id and,
// when an ERD is configured, its attributes. It returns a *ValidationError
// or nil.
func (c *Client) Validate(r Record) error {
	if err := CheckID(r.ID); err != nil {
		return &ValidationError{Problems: []Problem{{RecordID: r.ID, Message: err.Error()}}}
	}
	if c.opts.erd != nil {
		return c.opts.erd.Validate(r)
	}
	return nil
}

// CreateResult says what became of the records of one [Client.Create] call.
// Every record is in exactly one of Accepted and NotAccepted.
type CreateResult struct {
	// Accepted lists the ids of the records the postbox accepted (answered
	// 2xx), in the order given.
	Accepted []string
	// NotAccepted lists the ids of the records of the batch that failed
	// and of every batch after it, which was not sent; or of all records
	// when the call was refused before sending.
	NotAccepted []string
	// NotSent lists the ids, among NotAccepted, of the records of the
	// batches after the failed one: they were never posted, so the
	// postbox has not refused them.
	NotSent []string
	// ReturnedIDs lists the ids the postbox named in its success bodies, in
	// order, when it named any (they may be its own ids for the records).
	ReturnedIDs []string
	// Responses holds one response per request sent.
	Responses []*Response
}

// CreateError is returned by [Client.Create] when a batch failed. Records
// of earlier batches were accepted; the failed batch and every later one
// were not. It unwraps to the batch's error, so errors.Is matches the
// tracker sentinels (ErrUnauthorized, ErrRateLimited, ErrInvalid, ...).
type CreateError struct {
	// Accepted, NotAccepted and NotSent are as in [CreateResult].
	Accepted    []string
	NotAccepted []string
	NotSent     []string
	Err         error
}

// Error names the records not accepted and the batch's error.
func (e *CreateError) Error() string {
	return fmt.Sprintf("trax: %d of %d records not accepted (%s): %v",
		len(e.NotAccepted), len(e.Accepted)+len(e.NotAccepted), idList(e.NotAccepted), e.Err)
}

// Unwrap returns the failed batch's error.
func (e *CreateError) Unwrap() error { return e.Err }

// idList quotes up to five ids for a message.
func idList(ids []string) string {
	const show = 5
	q := make([]string, 0, show+1)
	for i, id := range ids {
		if i == show {
			q = append(q, fmt.Sprintf("and %d more", len(ids)-show))
			break
		}
		q = append(q, fmt.Sprintf("%q", id))
	}
	return strings.Join(q, ", ")
}

// Create posts records to the postbox, [Client.BatchSize] per request, as
// {"data":[{"id":…,"attributes":{…}}]}. Every record is checked first (see
// [Client.Validate]; ids must also be unique within the call): if any is
// invalid, nothing is sent and the error is a *ValidationError naming each
// record and attribute at fault.
//
// Posts are retried on 429, 5xx and transport failures, each retry
// carrying the same ids, so the postbox can recognise a repeat. Batches are
// sent in order and the first failing batch ends the call with a
// *CreateError; the result, returned with it, says which records were
// accepted and which were not. Any 2xx answer is success; its body, when
// it is JSON naming ids ({"data":[{"id":…}]} or {"id":…}), fills
// ReturnedIDs, and any other body is ignored.
func (c *Client) Create(ctx context.Context, records ...Record) (*CreateResult, error) {
	if len(records) == 0 {
		return &CreateResult{}, nil
	}
	if err := c.check(records); err != nil {
		return &CreateResult{NotAccepted: idsOf(records)}, err
	}
	return c.post(ctx, records)
}

// post encodes the records in batches and sends them, without checking
// them: callers have done so. Nothing is sent unless every batch encodes.
func (c *Client) post(ctx context.Context, records []Record) (*CreateResult, error) {
	res := &CreateResult{}
	ids := idsOf(records)
	bodies, err := c.encode(records)
	if err != nil {
		res.NotAccepted = ids
		return res, err
	}
	n := c.opts.batchSize
	for b, body := range bodies {
		lo, hi := b*n, min((b+1)*n, len(records))
		var raw []byte
		resp, err := c.rest.Do(ctx, &rest.Request{
			Method:      http.MethodPost,
			Path:        c.path,
			Query:       c.query,
			Body:        body,
			ContentType: "application/json",
			Idempotent:  true, // the record ids make a repeat harmless
		}, &raw)
		if resp != nil {
			res.Responses = append(res.Responses, resp)
		}
		if err != nil {
			res.NotAccepted, res.NotSent = ids[lo:], ids[hi:]
			return res, &CreateError{Accepted: res.Accepted, NotAccepted: res.NotAccepted, NotSent: res.NotSent, Err: err}
		}
		res.Accepted = append(res.Accepted, ids[lo:hi]...)
		res.ReturnedIDs = append(res.ReturnedIDs, returnedIDs(raw)...)
	}
	return res, nil
}

// check validates every record and the uniqueness of their ids, and
// returns a *ValidationError naming every problem, or nil.
func (c *Client) check(records []Record) error {
	var probs []Problem
	seen := make(map[string]bool, len(records))
	for _, r := range records {
		if err := c.Validate(r); err != nil {
			var ve *ValidationError
			if errors.As(err, &ve) {
				probs = append(probs, ve.Problems...)
			}
			continue
		}
		if seen[r.ID] {
			probs = append(probs, Problem{RecordID: r.ID, Message: "id repeated in one call"})
		}
		seen[r.ID] = true
	}
	if len(probs) > 0 {
		return &ValidationError{Problems: probs}
	}
	return nil
}

// encode encodes the records in batches of the client's batch size.
func (c *Client) encode(records []Record) ([][]byte, error) {
	n := c.opts.batchSize
	bodies := make([][]byte, 0, (len(records)+n-1)/n)
	for lo := 0; lo < len(records); lo += n {
		batch := records[lo:min(lo+n, len(records))]
		env := envelope{Data: make([]Record, len(batch))}
		for i, r := range batch {
			env.Data[i] = Record{ID: r.ID, Attributes: c.wire(r.Attributes)}
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(env); err != nil {
			return nil, fmt.Errorf("trax: encoding records %s: %w: %w", idList(idsOf(batch)), err, tracker.ErrInvalid)
		}
		bodies = append(bodies, bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	}
	return bodies, nil
}

func idsOf(rs []Record) []string {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	return ids
}

// wire returns the attributes as sent: nil values dropped, and dates and
// times formatted as the ERD's field types say. A nil map is sent as {}.
func (c *Client) wire(attrs map[string]any) map[string]any {
	out := make(map[string]any, len(attrs))
	for k, v := range attrs {
		if v == nil {
			continue
		}
		if t, ok := v.(time.Time); ok {
			f := FieldDef{Type: TypeDateTime}
			if c.opts.erd != nil {
				if def, ok := c.opts.erd.Field(k); ok {
					f = def
				}
			}
			v = f.wireValue(t)
		}
		out[k] = v
	}
	return out
}

// returnedIDs reads the ids a success body names, leniently: JSON:API
// {"data":[{"id":…}]} or {"data":{"id":…}}, a bare {"id":…}, or a list of
// such objects. Anything else names none.
func returnedIDs(body []byte) []string {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || (body[0] != '{' && body[0] != '[') {
		return nil
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return nil
	}
	if m, ok := v.(map[string]any); ok {
		if d, ok := m["data"]; ok {
			v = d
		}
	}
	var ids []string
	add := func(o any) {
		m, ok := o.(map[string]any)
		if !ok {
			return
		}
		switch id := m["id"].(type) {
		case string:
			if id != "" {
				ids = append(ids, id)
			}
		case json.Number:
			ids = append(ids, id.String())
		}
	}
	if list, ok := v.([]any); ok {
		for _, o := range list {
			add(o)
		}
	} else {
		add(v)
	}
	return ids
}

// Get reads one record from the read endpoint (see [WithReadEndpoint]). A
// missing record is an error matching tracker.ErrNotFound; a client
// without a read endpoint returns an error matching tracker.ErrUnsupported.
// The body may be {"data":{…record…}}, {"data":[…]} (the record with the
// id is taken) or the record itself.
func (c *Client) Get(ctx context.Context, id string) (*StoredRecord, *Response, error) {
	if c.read == nil {
		return nil, nil, fmt.Errorf("trax: reading records needs a read endpoint: %w", tracker.ErrUnsupported)
	}
	if err := CheckID(id); err != nil {
		return nil, nil, fmt.Errorf("trax: record %q: %s: %w", id, err, tracker.ErrInvalid)
	}
	esc := strings.Replace(c.readTmpl.EscapedPath(), idPlaceholder, url.PathEscape(id), 1)
	req := &rest.Request{Method: http.MethodGet, Path: esc}
	if c.readTmpl.RawQuery != "" {
		req.Query = c.readTmpl.Query()
	}
	var raw json.RawMessage
	resp, err := c.read.Do(ctx, req, &raw)
	if err != nil {
		return nil, resp, err
	}
	rec, err := decodeStored(raw, id)
	if err != nil {
		return nil, resp, fmt.Errorf("trax: record %q: %w", id, err)
	}
	return rec, resp, nil
}

// decodeStored reads a record from a read endpoint's body.
func decodeStored(raw []byte, id string) (*StoredRecord, error) {
	var wrapped struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &wrapped); err == nil && len(wrapped.Data) > 0 {
		raw = wrapped.Data
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '[' {
		var list []StoredRecord
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, fmt.Errorf("decoding the record list: %w", err)
		}
		for i := range list {
			if list[i].ID == id {
				return &list[i], nil
			}
		}
		return nil, fmt.Errorf("the answer does not contain the record: %w", tracker.ErrNotFound)
	}
	var rec StoredRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, fmt.Errorf("decoding the record: %w", err)
	}
	if rec.ID == "" {
		rec.ID = id
	}
	return &rec, nil
}
