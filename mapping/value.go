package mapping

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// text renders a value as the text value maps and comparisons use.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case fmt.Stringer:
		return x.String()
	case []string:
		return strings.Join(x, ", ")
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	}
	return fmt.Sprint(v)
}

// number reads a value as a number: any Go number, or text that parses as
// one.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int8:
		return float64(x), true
	case int16:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint:
		return float64(x), true
	case uint8:
		return float64(x), true
	case uint16:
		return float64(x), true
	case uint32:
		return float64(x), true
	case uint64:
		return float64(x), true
	case float32:
		return float64(x), true
	case float64:
		return x, !math.IsNaN(x)
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil && !math.IsNaN(f)
	}
	return 0, false
}

// instant reads a value as a time: a time.Time, or RFC 3339 text or a date.
func instant(v any) (time.Time, bool) {
	switch x := v.(type) {
	case time.Time:
		return x, !x.IsZero()
	case *time.Time:
		if x == nil {
			return time.Time{}, false
		}
		return *x, !x.IsZero()
	case string:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
			if t, err := time.Parse(layout, x); err == nil {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

// equal compares a source value with a spec operand: as numbers when both
// are numbers, as instants when the value is a time, otherwise as text.
func equal(v, operand any) bool {
	if _, isText := v.(string); !isText {
		if a, ok := number(v); ok {
			if b, ok := number(operand); ok {
				return a == b
			}
		}
	}
	if a, ok := v.(time.Time); ok {
		b, ok := instant(operand)
		return ok && a.Equal(b)
	}
	if b, ok := v.(bool); ok {
		o, isBool := operand.(bool)
		return isBool && o == b
	}
	return text(v) == text(operand)
}

// compare orders a source value against an operand: -1, 0 or +1, and false
// when the two cannot be ordered.
func compare(v, operand any) (int, bool) {
	if a, ok := instant(v); ok {
		b, ok := instant(operand)
		if !ok {
			return 0, false
		}
		return a.Compare(b), true
	}
	a, ok := number(v)
	if !ok {
		return 0, false
	}
	b, ok := number(operand)
	if !ok {
		return 0, false
	}
	switch {
	case a < b:
		return -1, true
	case a > b:
		return 1, true
	}
	return 0, true
}

// contains reports whether a list holds an element equal to operand, or a
// text holds it as a substring.
func contains(v, operand any) bool {
	switch x := v.(type) {
	case []string:
		for _, e := range x {
			if equal(e, operand) {
				return true
			}
		}
		return false
	case []any:
		for _, e := range x {
			if equal(e, operand) {
				return true
			}
		}
		return false
	case string:
		return strings.Contains(x, text(operand))
	}
	return false
}

// stringList reads a value as a list of texts, for labels.
func stringList(v any) []string {
	switch x := v.(type) {
	case nil:
		return nil
	case []string:
		return x
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s := text(e); s != "" {
				out = append(out, s)
			}
		}
		return out
	case string:
		if x == "" {
			return nil
		}
		return []string{x}
	}
	return []string{text(v)}
}
