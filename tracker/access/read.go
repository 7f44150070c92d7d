package access

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// DefaultMaxRosterBytes is the largest roster the readers accept unless
// [ReadOptions.MaxBytes] says otherwise: ample for a hundred thousand
// people.
const DefaultMaxRosterBytes = 16 << 20

// maxListedProblems bounds how many line errors an [*Errors] lists, so a
// hostile or wrong file cannot produce a message of megabytes.
const maxListedProblems = 100

// ReadOptions configures [ReadCSV], [ReadJSON] and [ReadFile].
type ReadOptions struct {
	// Name names the input in errors and in [Entry.Source]
	// ("roster.csv"); default "roster".
	Name string
	// MaxBytes caps the input size; 0 means DefaultMaxRosterBytes.
	MaxBytes int64
	// IgnoreUnknown skips CSV columns and JSON keys the reader does not
	// know. By default they are an error, so that a misspelt column
	// ("e-mail") is not silently dropped.
	IgnoreUnknown bool
}

func (o ReadOptions) name() string {
	if o.Name == "" {
		return "roster"
	}
	return o.Name
}

func (o ReadOptions) maxBytes() int64 {
	if o.MaxBytes <= 0 {
		return DefaultMaxRosterBytes
	}
	return o.MaxBytes
}

// LineError is a problem on one line of a roster file.
type LineError struct {
	Name string
	Line int
	Err  error
}

// Error returns "name:line: problem".
func (e *LineError) Error() string {
	if e.Line <= 0 {
		return fmt.Sprintf("%s: %v", e.Name, e.Err)
	}
	return fmt.Sprintf("%s:%d: %v", e.Name, e.Line, e.Err)
}

// Unwrap returns the underlying problem.
func (e *LineError) Unwrap() error { return e.Err }

// Errors lists every problem a reader found in a roster, in line order.
// A roster with any problem is rejected as a whole: reviewing against a
// partly read roster would flag the people on the bad lines as unknown.
type Errors struct {
	Problems []*LineError
	// Omitted counts problems past the first hundred, which are not
	// listed.
	Omitted int
}

// Error lists the problems one per line.
func (e *Errors) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.Error())
	}
	if e.Omitted > 0 {
		fmt.Fprintf(&b, "\n… and %d more problems", e.Omitted)
	}
	return b.String()
}

// Unwrap returns the problems, for errors.Is and errors.As.
func (e *Errors) Unwrap() []error {
	out := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p
	}
	return out
}

// problems collects line errors.
type problems struct {
	name string
	errs Errors
}

func (p *problems) add(line int, format string, args ...any) {
	if len(p.errs.Problems) >= maxListedProblems {
		p.errs.Omitted++
		return
	}
	p.errs.Problems = append(p.errs.Problems, &LineError{Name: p.name, Line: line, Err: fmt.Errorf(format, args...)})
}

func (p *problems) err() error {
	if len(p.errs.Problems) == 0 {
		return nil
	}
	slices.SortStableFunc(p.errs.Problems, func(a, b *LineError) int { return a.Line - b.Line })
	return &p.errs
}

// The roster columns (CSV) and keys (JSON).
const (
	colEmail      = "email"
	colLogin      = "login"
	colName       = "name"
	colStatus     = "status"
	colOffboarded = "offboarded"
	colRole       = "role"
)

// canonicalColumn returns the column name for a header or key, or "" when
// it names no column.
func canonicalColumn(h string) string {
	switch strings.ToLower(strings.TrimSpace(h)) {
	case "email", "e-mail", "mail":
		return colEmail
	case "login", "username", "user":
		return colLogin
	case "name", "full_name", "full name", "display_name":
		return colName
	case "status":
		return colStatus
	case "offboarded", "offboarded_date", "offboarded_at", "offboarded date":
		return colOffboarded
	case "role":
		return colRole
	}
	return ""
}

// knownColumns lists the canonical names for error messages.
const knownColumns = "email, login, name, status, offboarded, role"

// rawEntry is one roster record before validation.
type rawEntry struct {
	line                                         int
	email, login, name, status, offboarded, role string
}

func (r *rawEntry) set(col, v string) {
	switch col {
	case colEmail:
		r.email = v
	case colLogin:
		r.login = v
	case colName:
		r.name = v
	case colStatus:
		r.status = v
	case colOffboarded:
		r.offboarded = v
	case colRole:
		r.role = v
	}
}

// ParseDate reads an offboarding date as the readers do: a calendar date
// (2026-01-31, midnight UTC) or an RFC 3339 timestamp.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("date %q is neither YYYY-MM-DD nor RFC 3339", s)
}

// build validates raw records into entries, reporting every problem and
// every duplicate email or login.
func build(raws []*rawEntry, p *problems) StaticRoster {
	entries := make(StaticRoster, 0, len(raws))
	emails := map[string]int{}
	logins := map[string]int{}
	for _, r := range raws {
		e := &Entry{
			Email: strings.TrimSpace(r.email),
			Login: strings.TrimSpace(r.login),
			Name:  strings.TrimSpace(r.name),
			Role:  strings.TrimSpace(r.role),
		}
		if r.line > 0 {
			e.Source = fmt.Sprintf("%s:%d", p.name, r.line)
		}
		ok := true
		if e.Email == "" && e.Login == "" {
			p.add(r.line, "neither email nor login is set")
			ok = false
		}
		if e.Email != "" && !plausibleEmail(e.Email) {
			p.add(r.line, "email %q is not an email address", e.Email)
			ok = false
		}
		st, err := ParseStatus(r.status)
		if err != nil {
			p.add(r.line, "%v", err)
			ok = false
		}
		e.Status = st
		if d := strings.TrimSpace(r.offboarded); d != "" {
			t, err := ParseDate(d)
			switch {
			case err != nil:
				p.add(r.line, "offboarded %v", err)
				ok = false
			case st == StatusActive:
				p.add(r.line, "offboarded date %s given for a person whose status is active", d)
				ok = false
			default:
				e.OffboardedAt = t
			}
		}
		if k := strings.ToLower(e.Email); k != "" {
			if first, dup := emails[k]; dup {
				p.add(r.line, "email %q is also on line %d", e.Email, first)
				ok = false
			} else {
				emails[k] = r.line
			}
		}
		if k := strings.ToLower(e.Login); k != "" {
			if first, dup := logins[k]; dup {
				p.add(r.line, "login %q is also on line %d", e.Login, first)
				ok = false
			} else {
				logins[k] = r.line
			}
		}
		if ok {
			entries = append(entries, e)
		}
	}
	return entries
}

// plausibleEmail accepts local@domain without spaces; it catches columns
// mixed up, not every invalid address.
func plausibleEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " \t<>,;")
}

// readCapped reads all of r, failing when it holds more than max bytes.
func readCapped(r io.Reader, name string, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("%s: reading: %w", name, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, max)
	}
	return bytes.TrimPrefix(data, []byte("\uFEFF")), nil
}

// ReadCSV reads a roster from CSV. The first row is a header naming the
// columns, in any order, case-insensitively:
//
//	email       the person's email address
//	login       their login (username) in the tracker
//	name        their full name
//	status      active or offboarded (required)
//	offboarded  the date they left: 2026-01-31 or an RFC 3339 timestamp
//	role        the role that selects their allowed groups
//
// Every row needs an email or a login. The header must name status and
// at least one of email and login; email also answers to "e-mail" and
// "mail", login to "username" and "user", offboarded to
// "offboarded_date" and "offboarded_at". Unknown columns are an error
// unless [ReadOptions.IgnoreUnknown] is set. Blank lines and lines
// starting with '#' are skipped; a UTF-8 byte-order mark is ignored.
//
// ReadCSV reports every problem at once in an [*Errors], each naming its
// line: "roster.csv:7: status "gone" is not active or offboarded".
// Duplicate emails or logins are problems too.
func ReadCSV(r io.Reader, opts ReadOptions) (StaticRoster, error) {
	name := opts.name()
	data, err := readCapped(r, name, opts.maxBytes())
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comment = '#'
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = false
	p := &problems{name: name}

	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: empty; the first line must name the columns (%s)", name, knownColumns)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	headerLine, _ := cr.FieldPos(0)
	cols := make([]string, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		c := canonicalColumn(h)
		switch {
		case c == "" && !opts.IgnoreUnknown:
			p.add(headerLine, "unknown column %q (known: %s)", h, knownColumns)
		case c != "" && seen[c]:
			p.add(headerLine, "column %q appears twice", c)
		case c != "":
			seen[c] = true
			cols[i] = c
		}
	}
	if !seen[colEmail] && !seen[colLogin] {
		p.add(headerLine, "header names neither email nor login (is the first line a header?)")
	}
	if !seen[colStatus] {
		p.add(headerLine, "header has no status column")
	}
	if err := p.err(); err != nil {
		return nil, err
	}

	var raws []*rawEntry
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
			p.add(pe.StartLine, "has %d fields, the header %d", len(rec), len(header))
			continue
		}
		if errors.As(err, &pe) {
			// Quoting errors leave the reader's position uncertain: stop.
			p.add(pe.Line, "%v", pe.Err)
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		raw := &rawEntry{line: line}
		for i, v := range rec {
			raw.set(cols[i], v)
		}
		raws = append(raws, raw)
	}
	entries := build(raws, p)
	if err := p.err(); err != nil {
		return nil, err
	}
	return entries, nil
}

// ReadJSON reads a roster from a JSON array of objects with the keys
// ReadCSV documents as columns, offboarded being a string:
//
//	[
//	  {"email": "ana@example.com", "login": "ana", "name": "Ana Lima",
//	   "status": "active", "role": "developer"},
//	  {"email": "bo@example.com", "status": "offboarded", "offboarded": "2026-01-31"}
//	]
//
// Problems are reported as for ReadCSV, each naming the line its object
// starts on. Unknown keys are an error unless [ReadOptions.IgnoreUnknown]
// is set.
func ReadJSON(r io.Reader, opts ReadOptions) (StaticRoster, error) {
	name := opts.name()
	data, err := readCapped(r, name, opts.maxBytes())
	if err != nil {
		return nil, err
	}
	p := &problems{name: name}
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, jsonSyntax(name, data, dec.InputOffset(), err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, &LineError{Name: name, Line: lineAt(data, dec.InputOffset()), Err: errors.New("a roster must be a JSON array of objects")}
	}
	var raws []*rawEntry
	lines := lineCounter{data: data, line: 1}
	for dec.More() {
		start := skipSpace(data, dec.InputOffset())
		line := lines.at(start)
		var obj json.RawMessage
		if err := dec.Decode(&obj); err != nil {
			return nil, jsonSyntax(name, data, start, err)
		}
		raw, err := decodeEntry(obj, opts.IgnoreUnknown)
		if err != nil {
			p.add(line, "%v", err)
			continue
		}
		raw.line = line
		raws = append(raws, raw)
	}
	if _, err := dec.Token(); err != nil {
		return nil, jsonSyntax(name, data, dec.InputOffset(), err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &LineError{Name: name, Line: lineAt(data, dec.InputOffset()), Err: errors.New("data after the roster array")}
	}
	entries := build(raws, p)
	if err := p.err(); err != nil {
		return nil, err
	}
	return entries, nil
}

// decodeEntry reads one roster object.
func decodeEntry(obj json.RawMessage, ignoreUnknown bool) (*rawEntry, error) {
	if !bytes.HasPrefix(obj, []byte("{")) {
		return nil, errors.New("roster entries must be JSON objects")
	}
	var m map[string]any
	if err := json.Unmarshal(obj, &m); err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	raw := &rawEntry{}
	var errs []string
	for _, k := range keys {
		col := canonicalColumn(k)
		if col == "" {
			if !ignoreUnknown {
				errs = append(errs, fmt.Sprintf("unknown key %q (known: %s)", k, knownColumns))
			}
			continue
		}
		switch v := m[k].(type) {
		case string:
			raw.set(col, v)
		case nil:
		default:
			errs = append(errs, fmt.Sprintf("%s must be a string, not %s", k, jsonKind(v)))
		}
	}
	if len(errs) > 0 {
		return nil, errors.New(strings.Join(errs, "; "))
	}
	return raw, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// jsonSyntax turns a decoding error into a line error.
func jsonSyntax(name string, data []byte, off int64, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off = se.Offset
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &LineError{Name: name, Line: lineAt(data, int64(len(data))), Err: errors.New("unexpected end of JSON")}
	}
	return &LineError{Name: name, Line: lineAt(data, off), Err: err}
}

// skipSpace returns the offset of the first byte at or after off that is
// neither white space nor the comma between array elements.
func skipSpace(data []byte, off int64) int64 {
	for off < int64(len(data)) {
		switch data[off] {
		case ' ', '\t', '\r', '\n', ',':
			off++
		default:
			return off
		}
	}
	return off
}

// lineCounter finds the lines of increasing offsets, counting each byte
// once: lineAt for every object of a large roster would be quadratic.
type lineCounter struct {
	data []byte
	off  int64
	line int
}

// at returns the 1-based line of off, which must not be below the
// previous call's.
func (c *lineCounter) at(off int64) int {
	off = min(max(off, c.off), int64(len(c.data)))
	c.line += bytes.Count(c.data[c.off:off], []byte("\n"))
	c.off = off
	return c.line
}

// lineAt returns the 1-based line of a byte offset.
func lineAt(data []byte, off int64) int {
	off = min(max(off, 0), int64(len(data)))
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// ReadFile reads a roster file, as CSV or JSON by its extension (.csv,
// .json), naming it by its base name in errors.
func ReadFile(path string, opts ReadOptions) (StaticRoster, error) {
	if opts.Name == "" {
		opts.Name = filepath.Base(path)
	}
	var read func(io.Reader, ReadOptions) (StaticRoster, error)
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".csv":
		read = ReadCSV
	case ".json":
		read = ReadJSON
	default:
		return nil, fmt.Errorf("%s: unknown roster format %q (want .csv or .json)", opts.Name, ext)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return read(f, opts)
}
