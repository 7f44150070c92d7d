package jira

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/trackbridge/trackbridge/internal/jsonscan"
)

// TimeLayout is Jira's timestamp format: milliseconds and a numeric zone
// without a colon (2021-01-17T12:34:00.000+0000), which time.RFC3339 does
// not accept.
const TimeLayout = "2006-01-02T15:04:05.000-0700"

// DateLayout is the format of date-only fields such as duedate.
const DateLayout = "2006-01-02"

// Time is a Jira timestamp. The zero Time encodes as null.
type Time struct{ time.Time }

// ParseTime reads a Jira timestamp. It also accepts RFC 3339, which some
// endpoints and webhooks use.
func ParseTime(s string) (time.Time, error) {
	for _, layout := range []string{TimeLayout, "2006-01-02T15:04:05-0700", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("jira: time %q is not in the form %s", s, TimeLayout)
}

// FormatTime writes t in Jira's timestamp format.
func FormatTime(t time.Time) string { return t.Format(TimeLayout) }

// UnmarshalJSON reads a Jira timestamp or null.
func (t *Time) UnmarshalJSON(data []byte) error {
	if bytes.Equal(data, []byte("null")) {
		t.Time = time.Time{}
		return nil
	}
	s, ok := jsonscan.String(data)
	if !ok {
		return fmt.Errorf("jira: time: %.40s is not a string", data)
	}
	if s == "" {
		t.Time = time.Time{}
		return nil
	}
	v, err := ParseTime(s)
	if err != nil {
		return err
	}
	t.Time = v
	return nil
}

// MarshalJSON writes a Jira timestamp, or null for the zero Time.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(FormatTime(t.Time))
}

// Date is a date-only field (YYYY-MM-DD), held as midnight UTC. The zero
// Date encodes as null.
type Date struct{ time.Time }

// ParseDate reads a date-only value.
func ParseDate(s string) (time.Time, error) {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("jira: date %q is not in the form %s", s, DateLayout)
	}
	return t, nil
}

// UnmarshalJSON reads a date or null.
func (d *Date) UnmarshalJSON(data []byte) error {
	if bytes.Equal(data, []byte("null")) {
		d.Time = time.Time{}
		return nil
	}
	s, ok := jsonscan.String(data)
	if !ok {
		return fmt.Errorf("jira: date: %.40s is not a string", data)
	}
	if s == "" {
		d.Time = time.Time{}
		return nil
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	d.Time = v
	return nil
}

// MarshalJSON writes the date, or null for the zero Date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.Format(DateLayout))
}
