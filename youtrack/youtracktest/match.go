package youtracktest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// matchAll reports whether is matches every term; caller holds the lock.
func (s *Server) matchAll(is *issue, terms []Term) (bool, error) {
	for _, t := range terms {
		ok, err := s.match(is, t)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

func (s *Server) match(is *issue, t Term) (bool, error) {
	switch t.Kind {
	case TermGroup:
		return s.matchAll(is, t.Group)
	case TermText:
		w := strings.ToLower(t.Values[0].Text)
		return strings.Contains(strings.ToLower(is.summary), w) || strings.Contains(strings.ToLower(is.description), w), nil
	case TermHash, TermNotHash:
		ok := s.hashMatch(is, t.Values[0].Text)
		if t.Kind == TermNotHash {
			ok = !ok
		}
		return ok, nil
	case TermHas, TermHasNot:
		has, err := s.has(is, t.Field)
		if err != nil {
			return false, err
		}
		return has == (t.Kind == TermHas), nil
	case TermField:
		return s.matchField(is, t)
	}
	return false, fmt.Errorf("unknown term")
}

func (s *Server) hashMatch(is *issue, v string) bool {
	switch strings.ToLower(v) {
	case "unresolved":
		return !s.stateResolved(is)
	case "resolved":
		return s.stateResolved(is)
	}
	if strings.EqualFold(is.project.ShortName, v) {
		return true
	}
	for _, id := range is.tags {
		if t := s.tagByID(id); t != nil && strings.EqualFold(t.Name, v) {
			return true
		}
	}
	for _, val := range is.fields {
		for _, x := range plainStrings(val) {
			if strings.EqualFold(x, v) {
				return true
			}
		}
	}
	return false
}

func (s *Server) has(is *issue, field string) (bool, error) {
	switch strings.ToLower(field) {
	case "tag", "tags":
		return len(is.tags) > 0, nil
	case "description":
		return is.description != "", nil
	case "comments":
		return len(is.comments) > 0, nil
	}
	f := s.fieldByName(field)
	if f == nil {
		return false, fmt.Errorf("unknown field in has: %s", field)
	}
	_, ok := is.fields[f.Name]
	return ok, nil
}

// matchValues applies positive (any) and negative (none) values to the
// strings of a field.
func matchValues(got []string, vals []Value, eq func(got, want string) bool) bool {
	anyPos, posHit := false, false
	for _, v := range vals {
		hit := slices.ContainsFunc(got, func(g string) bool { return eq(g, v.Text) })
		if v.Neg {
			if hit {
				return false
			}
			continue
		}
		anyPos = true
		posHit = posHit || hit
	}
	return !anyPos || posHit
}

func (s *Server) matchField(is *issue, t Term) (bool, error) {
	fold := strings.EqualFold
	switch strings.ToLower(t.Field) {
	case "project":
		return matchValues([]string{is.project.ShortName, is.project.Name}, t.Values, fold), nil
	case "tag":
		var names []string
		for _, id := range is.tags {
			if tg := s.tagByID(id); tg != nil {
				names = append(names, tg.Name)
			}
		}
		return matchValues(names, t.Values, fold), nil
	case "summary":
		return matchValues([]string{is.summary}, t.Values, containsFold), nil
	case "description":
		return matchValues([]string{is.description}, t.Values, containsFold), nil
	case "reporter", "created by":
		return matchValues([]string{is.reporter}, t.Values, fold), nil
	case "issue id":
		return matchValues([]string{is.idReadable, is.id}, t.Values, fold), nil
	case "updated":
		return matchTime(is.updated, t.Values, s.now())
	case "created":
		return matchTime(is.created, t.Values, s.now())
	case "resolved date":
		return matchTime(is.resolved, t.Values, s.now())
	}
	f := s.fieldByName(t.Field)
	if f == nil {
		return false, fmt.Errorf("unknown field: %s", t.Field)
	}
	v, ok := is.fields[f.Name]
	if f.Type == FieldDate || f.Type == FieldDateTime {
		if !ok {
			return false, nil
		}
		n, _ := v.(int64)
		return matchTime(n, t.Values, s.now())
	}
	return matchValues(plainStrings(v), t.Values, fold), nil
}

func containsFold(got, want string) bool {
	return strings.Contains(strings.ToLower(got), strings.ToLower(want))
}

// matchTime matches an epoch-ms value against dates, date-times, epoch
// numbers and ranges of them ("*" is open).
func matchTime(v int64, vals []Value, now time.Time) (bool, error) {
	if v == 0 {
		return false, nil
	}
	for _, val := range vals {
		var lo, hi int64
		var err error
		if val.Range {
			lo, _, err = timeBounds(val.Text, val.Braced, now)
			if err != nil {
				return false, err
			}
			_, hi, err = timeBounds(val.To, false, now)
		} else {
			lo, hi, err = timeBounds(val.Text, val.Braced, now)
		}
		if err != nil {
			return false, err
		}
		hit := v >= lo && v <= hi
		if val.Neg && hit {
			return false, nil
		}
		if !val.Neg && hit {
			return true, nil
		}
	}
	return false, nil
}

// timeBounds returns the first and last millisecond a time value covers.
func timeBounds(s string, braced bool, now time.Time) (int64, int64, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "*" && !braced:
		return -1 << 62, 1 << 62, nil
	case strings.EqualFold(s, "today"):
		d := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
		return d.UnixMilli(), d.Add(24*time.Hour).UnixMilli() - 1, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && len(s) > 8 {
		return n, n, nil
	}
	for _, l := range []struct {
		layout string
		span   time.Duration
	}{{"2006-01-02T15:04:05", time.Second}, {"2006-01-02T15:04", time.Minute}, {"2006-01-02", 24 * time.Hour}} {
		if t, err := time.ParseInLocation(l.layout, s, time.UTC); err == nil {
			return t.UnixMilli(), t.Add(l.span).UnixMilli() - 1, nil
		}
	}
	return 0, 0, fmt.Errorf("cannot parse date %q", s)
}
