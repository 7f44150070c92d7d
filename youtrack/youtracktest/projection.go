package youtracktest

import (
	"fmt"
	"strings"
)

// projection is a parsed fields parameter: attribute name → nested
// projection (nil when the attribute has no sub-selection).
type projection map[string]projection

// parseFields parses "a,b(c,d(e)),f" into a projection.
func parseFields(s string) (projection, error) {
	p := &fieldsParser{s: s}
	out, err := p.list()
	if err != nil {
		return nil, err
	}
	if p.i < len(p.s) {
		return nil, fmt.Errorf("fields: unexpected %q at %d", p.s[p.i], p.i)
	}
	return out, nil
}

type fieldsParser struct {
	s string
	i int
}

func (p *fieldsParser) skipSpace() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *fieldsParser) list() (projection, error) {
	out := projection{}
	for {
		p.skipSpace()
		start := p.i
		for p.i < len(p.s) && !strings.ContainsRune(",() \t", rune(p.s[p.i])) {
			p.i++
		}
		name := p.s[start:p.i]
		p.skipSpace()
		var sub projection
		if p.i < len(p.s) && p.s[p.i] == '(' {
			p.i++
			var err error
			if sub, err = p.list(); err != nil {
				return nil, err
			}
			if p.i >= len(p.s) || p.s[p.i] != ')' {
				return nil, fmt.Errorf("fields: unclosed ( after %q", name)
			}
			p.i++
			p.skipSpace()
		}
		if name != "" {
			if prev, ok := out[name]; ok && prev != nil && sub != nil {
				for k, v := range sub {
					prev[k] = v
				}
			} else if !ok || sub != nil {
				out[name] = sub
			}
		} else if sub != nil {
			return nil, fmt.Errorf("fields: ( without a name at %d", start)
		}
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		return out, nil
	}
}

// apply returns v with only the attributes p names. Objects keep "$type"
// (and Hub's "type") always, as YouTrack does. A nil projection on an
// object leaves only its type: YouTrack returns no attributes that were not
// asked for.
func (p projection) apply(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = p.apply(e)
		}
		return out
	case map[string]any:
		out := map[string]any{}
		if t, ok := x["$type"]; ok {
			out["$type"] = t
		}
		if t, ok := x["type"]; ok {
			out["type"] = t
		}
		for name, sub := range p {
			val, ok := x[name]
			if !ok {
				continue
			}
			out[name] = sub.apply(val)
		}
		return out
	}
	return v
}
