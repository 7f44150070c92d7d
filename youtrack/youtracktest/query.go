package youtracktest

import (
	"fmt"
	"strings"
	"unicode"
)

// TermKind says what a query term does.
type TermKind int

// The kinds of query terms the fake understands.
const (
	// TermField is "field: v1, v2" (any of the values; a value may be a
	// range "a .. b" or negated "-v").
	TermField TermKind = iota
	// TermHas is "has: field"; TermHasNot "has: -field", "-has: field" or
	// "not has: field".
	TermHas
	TermHasNot
	// TermHash is "#value" ("#Unresolved"); TermNotHash "-value".
	TermHash
	TermNotHash
	// TermText is a bare word or a "quoted phrase" searched in summary
	// and description.
	TermText
	// TermGroup is "( terms )", all of which must match.
	TermGroup
)

// Value is one value of a field term.
type Value struct {
	// Text is the value with escapes resolved; for a range, its lower end.
	Text string
	// To is the upper end of a range.
	To string
	// Range marks "a .. b"; Braced a value written in braces (never a
	// keyword or wildcard); Neg a value written "-v".
	Range  bool
	Braced bool
	Neg    bool
}

// Term is one term of a query.
type Term struct {
	Kind   TermKind
	Field  string
	Values []Value
	Group  []Term
}

// ParsedQuery is a query as the fake understands it: terms combined by
// AND, and an optional sort.
type ParsedQuery struct {
	Terms     []Term
	SortField string
	SortAsc   bool
}

type tokKind int

const (
	tEOF tokKind = iota
	tWord
	tBraced
	tPhrase
	tColon
	tComma
	tLParen
	tRParen
	tHash
	tMinus
	tRange
)

type token struct {
	kind tokKind
	text string
	pos  int
}

func isSpecial(r rune) bool {
	switch r {
	case '{', '}', '(', ')', ',', ':', '"':
		return true
	}
	return unicode.IsSpace(r)
}

// lex splits a query into tokens.
func lex(q string) ([]token, error) {
	var out []token
	rs := []rune(q)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.IsSpace(r):
			i++
		case r == '{':
			var b strings.Builder
			start := i
			i++
			closed := false
			for i < len(rs) {
				c := rs[i]
				if c == '\\' && i+1 < len(rs) {
					b.WriteRune(rs[i+1])
					i += 2
					continue
				}
				if c == '}' {
					closed = true
					i++
					break
				}
				b.WriteRune(c)
				i++
			}
			if !closed {
				return nil, fmt.Errorf("unclosed { at %d", start)
			}
			out = append(out, token{tBraced, b.String(), start})
		case r == '"':
			start := i
			j := i + 1
			for j < len(rs) && rs[j] != '"' {
				j++
			}
			if j >= len(rs) {
				return nil, fmt.Errorf("unclosed \" at %d", start)
			}
			out = append(out, token{tPhrase, string(rs[i+1 : j]), start})
			i = j + 1
		case r == ':':
			out = append(out, token{tColon, ":", i})
			i++
		case r == ',':
			out = append(out, token{tComma, ",", i})
			i++
		case r == '(':
			out = append(out, token{tLParen, "(", i})
			i++
		case r == ')':
			out = append(out, token{tRParen, ")", i})
			i++
		case r == '}':
			return nil, fmt.Errorf("unexpected } at %d", i)
		case r == '.' && i+1 < len(rs) && rs[i+1] == '.':
			out = append(out, token{tRange, "..", i})
			i += 2
		case r == '#':
			out = append(out, token{tHash, "#", i})
			i++
		case r == '-' && (i+1 < len(rs) && !unicode.IsSpace(rs[i+1])):
			out = append(out, token{tMinus, "-", i})
			i++
		default:
			start := i
			digitStart := unicode.IsDigit(r)
			for i < len(rs) {
				c := rs[i]
				if c == '.' && i+1 < len(rs) && rs[i+1] == '.' {
					break
				}
				// Times in values ("2026-01-02T10:00:00") keep their colons.
				if c == ':' && digitStart && i+1 < len(rs) && unicode.IsDigit(rs[i+1]) {
					i++
					continue
				}
				if isSpecial(c) {
					break
				}
				i++
			}
			out = append(out, token{tWord, string(rs[start:i]), start})
		}
	}
	return append(out, token{tEOF, "", len(rs)}), nil
}

type parser struct {
	toks []token
	i    int
	sort struct {
		field string
		asc   bool
		set   bool
	}
}

func (p *parser) peek(n int) token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) next() token {
	t := p.peek(0)
	if p.i < len(p.toks)-1 {
		p.i++
	}
	return t
}

func isWord(t token, w string) bool { return t.kind == tWord && strings.EqualFold(t.text, w) }

// ParseQuery parses the subset of YouTrack's query language the fake
// serves: "field: value[, value]" with {braced values} and ranges "a .. b",
// "has: field", "has: -field", "#Unresolved", "-value", "tag: x", bare
// words and "phrases", parentheses, the keyword "and", and "sort by: field
// asc|desc". Terms are combined by AND; "or" is refused.
func ParseQuery(q string) (*ParsedQuery, error) {
	toks, err := lex(q)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	terms, err := p.terms(false)
	if err != nil {
		return nil, err
	}
	pq := &ParsedQuery{Terms: terms}
	if p.sort.set {
		pq.SortField, pq.SortAsc = p.sort.field, p.sort.asc
	}
	return pq, nil
}

func (p *parser) terms(inGroup bool) ([]Term, error) {
	var out []Term
	for {
		t := p.peek(0)
		switch {
		case t.kind == tEOF:
			if inGroup {
				return nil, fmt.Errorf("unclosed ( at end of query")
			}
			return out, nil
		case t.kind == tRParen:
			if !inGroup {
				return nil, fmt.Errorf("unexpected ) at %d", t.pos)
			}
			p.next()
			return out, nil
		case t.kind == tLParen:
			p.next()
			g, err := p.terms(true)
			if err != nil {
				return nil, err
			}
			out = append(out, Term{Kind: TermGroup, Group: g})
		case isWord(t, "and"):
			p.next()
		case isWord(t, "or"):
			return nil, fmt.Errorf("'or' at %d is not supported by the fake", t.pos)
		case isWord(t, "sort") && isWord(p.peek(1), "by") && p.peek(2).kind == tColon:
			p.i += 3
			f := p.next()
			if f.kind != tWord && f.kind != tBraced {
				return nil, fmt.Errorf("sort by: expects a field at %d", f.pos)
			}
			p.sort.field, p.sort.asc, p.sort.set = f.text, false, true
			if d := p.peek(0); isWord(d, "asc") || isWord(d, "desc") {
				p.sort.asc = isWord(d, "asc")
				p.next()
			}
		case isWord(t, "not") && isWord(p.peek(1), "has") && p.peek(2).kind == tColon:
			p.i += 3
			fs, err := p.attributes()
			if err != nil {
				return nil, err
			}
			for _, f := range fs {
				out = append(out, Term{Kind: TermHasNot, Field: f.Text})
			}
		case t.kind == tMinus && isWord(p.peek(1), "has") && p.peek(2).kind == tColon:
			p.i += 3
			fs, err := p.attributes()
			if err != nil {
				return nil, err
			}
			for _, f := range fs {
				out = append(out, Term{Kind: TermHasNot, Field: f.Text})
			}
		case t.kind == tHash || t.kind == tMinus:
			p.next()
			v := p.next()
			if v.kind != tWord && v.kind != tBraced {
				return nil, fmt.Errorf("%s expects a value at %d", t.text, v.pos)
			}
			kind := TermHash
			if t.kind == tMinus {
				kind = TermNotHash
			}
			out = append(out, Term{Kind: kind, Values: []Value{{Text: v.text, Braced: v.kind == tBraced}}})
		case (t.kind == tWord || t.kind == tBraced) && p.peek(1).kind == tColon:
			p.i += 2
			if t.kind == tWord && strings.EqualFold(t.text, "has") {
				fs, err := p.attributes()
				if err != nil {
					return nil, err
				}
				for _, f := range fs {
					kind := TermHas
					if f.Neg {
						kind = TermHasNot
					}
					out = append(out, Term{Kind: kind, Field: f.Text})
				}
				continue
			}
			vs, err := p.values()
			if err != nil {
				return nil, fmt.Errorf("field %q: %w", t.text, err)
			}
			out = append(out, Term{Kind: TermField, Field: t.text, Values: vs})
		case t.kind == tWord || t.kind == tBraced || t.kind == tPhrase:
			p.next()
			out = append(out, Term{Kind: TermText, Values: []Value{{Text: t.text, Braced: t.kind != tWord}}})
		default:
			return nil, fmt.Errorf("unexpected %q at %d", t.text, t.pos)
		}
	}
}

// value reads one value, optionally negated.
func (p *parser) value() (Value, error) {
	var v Value
	if p.peek(0).kind == tMinus {
		p.next()
		v.Neg = true
	}
	t := p.next()
	if t.kind != tWord && t.kind != tBraced {
		return v, fmt.Errorf("expected a value at %d", t.pos)
	}
	v.Text, v.Braced = t.text, t.kind == tBraced
	return v, nil
}

func (p *parser) values() ([]Value, error) {
	var out []Value
	for {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		if p.peek(0).kind == tRange {
			p.next()
			to, err := p.value()
			if err != nil {
				return nil, err
			}
			v.Range, v.To = true, to.Text
		}
		out = append(out, v)
		if p.peek(0).kind != tComma {
			return out, nil
		}
		p.next()
	}
}

func (p *parser) attributes() ([]Value, error) {
	var out []Value
	for {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		if p.peek(0).kind != tComma {
			return out, nil
		}
		p.next()
	}
}
