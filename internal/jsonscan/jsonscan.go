// Package jsonscan walks JSON objects and arrays in one pass without
// allocating, for decoders that look at each key once and decode values
// themselves. It expects input that encoding/json has already validated
// (as it does before calling an UnmarshalJSON method); on malformed input
// it returns an error rather than guessing.
package jsonscan

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"sync/atomic"
	"unicode/utf8"
)

// ErrSyntax reports input that is not the JSON value expected.
var ErrSyntax = errors.New("jsonscan: malformed JSON")

func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// skipString returns the index after the string starting at data[i] ('"').
func skipString(data []byte, i int) (int, bool) {
	i++
	for i < len(data) {
		switch data[i] {
		case '\\':
			i += 2
		case '"':
			return i + 1, true
		default:
			i++
		}
	}
	return 0, false
}

// skipValue returns the index after the value starting at data[i].
func skipValue(data []byte, i int) (int, bool) {
	if i >= len(data) {
		return 0, false
	}
	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		depth := 0
		for i < len(data) {
			switch data[i] {
			case '"':
				var ok bool
				if i, ok = skipString(data, i); !ok {
					return 0, false
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, true
				}
			}
			i++
		}
		return 0, false
	default:
		for i < len(data) {
			switch data[i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return i, true
			}
			i++
		}
		return i, true
	}
}

// Object calls fn with each key (raw, still quoted and escaped: compare it
// with [Key]) and value of the JSON object in data, in order. It fails when
// data is not an object.
func Object(data []byte, fn func(key, value []byte) error) error {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return ErrSyntax
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return nil
	}
	for i < len(data) {
		if data[i] != '"' {
			return ErrSyntax
		}
		end, ok := skipString(data, i)
		if !ok {
			return ErrSyntax
		}
		key := data[i:end]
		i = skipSpace(data, end)
		if i >= len(data) || data[i] != ':' {
			return ErrSyntax
		}
		i = skipSpace(data, i+1)
		vend, ok := skipValue(data, i)
		if !ok {
			return ErrSyntax
		}
		if err := fn(key, data[i:vend]); err != nil {
			return err
		}
		i = skipSpace(data, vend)
		if i >= len(data) {
			return ErrSyntax
		}
		if data[i] == '}' {
			return nil
		}
		if data[i] != ',' {
			return ErrSyntax
		}
		i = skipSpace(data, i+1)
	}
	return ErrSyntax
}

// Array calls fn with each element of the JSON array in data. It fails
// when data is not an array.
func Array(data []byte, fn func(value []byte) error) error {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '[' {
		return ErrSyntax
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == ']' {
		return nil
	}
	for i < len(data) {
		end, ok := skipValue(data, i)
		if !ok {
			return ErrSyntax
		}
		if err := fn(data[i:end]); err != nil {
			return err
		}
		i = skipSpace(data, end)
		if i >= len(data) {
			return ErrSyntax
		}
		if data[i] == ']' {
			return nil
		}
		if data[i] != ',' {
			return ErrSyntax
		}
		i = skipSpace(data, i+1)
	}
	return ErrSyntax
}

// Key returns a raw key without its quotes when it has no escapes, for
// comparison without allocating; ok is false for keys with escapes, which
// callers decode with [String].
func Key(raw []byte) (k []byte, ok bool) {
	if len(raw) < 2 || bytes.IndexByte(raw, '\\') >= 0 {
		return nil, false
	}
	return raw[1 : len(raw)-1], true
}

// IsNull reports whether the value is the literal null.
func IsNull(raw []byte) bool { return string(raw) == "null" }

// String decodes a JSON string value. ok is false when raw is not a string.
func String(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	body := raw[1 : len(raw)-1]
	simple, high := true, false
	for _, c := range body {
		if c == '\\' || c < 0x20 {
			simple = false
			break
		}
		if c >= utf8.RuneSelf {
			high = true
		}
	}
	if simple && (!high || utf8.Valid(body)) {
		return intern(body), true
	}
	return unquote(raw)
}

// unquote decodes a string with escapes; apart from String so that the
// common path does not move its result to the heap.
func unquote(raw []byte) (string, bool) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

// Bool decodes true or false.
func Bool(raw []byte) (b, ok bool) {
	switch string(raw) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// Int decodes an integer number, also one written as a whole float (1.0,
// 1e3).
func Int(raw []byte) (int64, bool) {
	if n, ok := Digits(raw); ok {
		return n, true
	}
	if len(raw) == 0 || len(raw) > 32 {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || f != f || f < -(1<<63) || f >= 1<<63 || f != float64(int64(f)) {
		return 0, false
	}
	return int64(f), true
}

// Digits decodes an integer written as digits only, with an optional
// minus sign: no fraction, no exponent, and no more than 18 digits, so it
// never overflows. Decoders that must tell 84 from 84.0 use it; Int
// accepts both.
func Digits(raw []byte) (int64, bool) {
	digits := raw
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if raw[0] == '-' {
		n = -n
	}
	return n, true
}

// The intern table: a direct-mapped cache of short strings that repeat
// across decoded values (status and type names, category keys, account ids,
// ADF node types), so decoding a page of issues does not allocate each of
// them again. A slot keeps a string only once its hash has been seen
// twice, so one-off values cost no more than without the table. It holds
// at most internSlots strings of at most internMaxLen bytes.
const (
	internSlots  = 4096
	internMaxLen = 64
)

var (
	internSeen [internSlots]atomic.Uint64
	internStr  [internSlots]atomic.Pointer[string]
)

func intern(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > internMaxLen {
		return string(b)
	}
	h := uint64(14695981039346656037) // FNV-1a
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	slot := h & (internSlots - 1)
	if p := internStr[slot].Load(); p != nil && *p == string(b) {
		return *p
	}
	s := string(b)
	if internSeen[slot].Swap(h) == h {
		internStr[slot].Store(&s)
	}
	return s
}
