package mapping

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/tracker"
)

var testLimits = Limits{MaxOutput: DefaultMaxOutput, Timeout: 5 * time.Second, MaxIterations: DefaultMaxIterations}

func renderString(t *testing.T, src string, is *tracker.Issue, lim Limits) (string, error) {
	t.Helper()
	tpl, err := parseTemplate(src)
	require.NoError(t, err)
	return render(tpl, is, testNow, lim)
}

func TestTemplateFuncs(t *testing.T) {
	t.Parallel()
	is := &tracker.Issue{
		ID: "8589935233", Summary: "Übergroße Datei – exfil", Assignee: "", Labels: []string{"sec.attack", "exfil"},
		Created: time.Date(2026, 2, 3, 4, 5, 6, 0, time.FixedZone("CET", 3600)),
		Fields: map[string]any{
			"risk_score": int64(91), "none": nil, "tactics": []any{"TA0010 Exfiltration", 5},
			"when": "2026-01-02T03:04:05Z", "epoch": int64(1767225600000), "app": "a b/c?d",
		},
	}
	tests := []struct {
		name, tpl, want string
	}{
		{"upper", `{{.Summary | upper}}`, "ÜBERGROßE DATEI – EXFIL"},
		{"lower", `{{lower "AbC"}}`, "abc"},
		{"title", `{{title "hello wide-world_x"}}`, "Hello Wide-World_X"},
		{"trim", `[{{trim "  x  "}}]`, "[x]"},
		{"join labels", `{{.Labels | join ", "}}`, "sec.attack, exfil"},
		{"join any list", `{{.Fields.tactics | join "; "}}`, "TA0010 Exfiltration; 5"},
		{"join nil", `[{{.Fields.none | join ","}}]`, "[]"},
		{"default on empty", `{{.Assignee | default "nobody"}}`, "nobody"},
		{"default on nil", `{{.Fields.none | default "n/a"}}`, "n/a"},
		{"default on missing", `{{.Fields.missing | default "n/a"}}`, "n/a"},
		{"default keeps value", `{{.Fields.risk_score | default 0}}`, "91"},
		{"default on false", `{{false | default "no"}}`, "no"},
		{"truncate counts runes", `{{.Summary | truncate 5}}`, "Über…"},
		{"truncate short", `{{"abc" | truncate 3}}`, "abc"},
		{"truncate one", `{{"abc" | truncate 1}}`, "…"},
		{"truncate zero", `[{{"abc" | truncate 0}}]`, "[]"},
		{"date layout", `{{.Created | date "2006-01-02 15:04"}}`, "2026-02-03 03:05"},
		{"date rfc3339", `{{.Created | date "rfc3339"}}`, "2026-02-03T03:05:06Z"},
		{"date shorthand", `{{.Created | date "date"}}`, "2026-02-03"},
		{"date from text", `{{.Fields.when | date "datetime"}}`, "2026-01-02 03:04 UTC"},
		{"date from epoch ms", `{{.Fields.epoch | date "date"}}`, "2026-01-01"},
		{"date empty", `[{{.Updated | date "date"}}{{.Fields.none | date "date"}}]`, "[]"},
		{"date now", `{{.Now | date "rfc3339"}}`, "2026-03-04T05:06:07Z"},
		{"markdown", `{{markdown "a_b *c* [d](e) #1 |x| <y> ~z~ \\ ` + "`" + `"}}`, `a\_b \*c\* \[d\]\(e\) \#1 \|x\| \<y\> \~z\~ \\ ` + "\\`"},
		{"markdown keeps dots", `{{.Labels | join "," | markdown}}`, "sec.attack,exfil"},
		{"urlescape", `{{.Fields.app | urlescape}}`, "a+b%2Fc%3Fd"},
		{"pathescape", `{{.Fields.app | pathescape}}`, "a%20b%2Fc%3Fd"},
		{"printf", `{{printf "%05d|%-4s|" 42 "x"}}`, "00042|x   |"},
		{"index with spaces", `{{index .Fields "risk_score"}}`, "91"},
		{"missing field", `{{.Fields.missing}}`, "<no value>"},
		{"range over list", `{{range .Labels}}<{{.}}>{{end}}`, "<sec.attack><exfil>"},
		{"range with vars", `{{range $i, $l := .Labels}}{{$i}}={{$l}} {{end}}`, "0=sec.attack 1=exfil "},
		{"range over int", `{{range 3}}{{.}}{{end}}`, "012"},
		{"range over missing", `{{range .Fields.missing}}x{{else}}none{{end}}`, "none"},
		{"nested range", `{{range .Labels}}{{range 2}}.{{end}}{{end}}`, "...."},
		{"compare", `{{if ge .Fields.risk_score 80}}hot{{end}}`, "hot"},
		{"time method", `{{.Now.Year}}`, "2026"},
		{"field named Format", `{{index .Fields "Format" | default "none"}}`, "none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := renderString(t, tt.tpl, is, testLimits)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestTemplateErrors(t *testing.T) {
	t.Parallel()
	is := &tracker.Issue{Fields: map[string]any{"s": "x"}}
	tests := []struct {
		name, tpl, want string
	}{
		{"printf star", `{{printf "%*d" 100000000 1}}`, "* widths are not allowed"},
		{"printf huge width", `{{printf "%999999999d" 1}}`, "width or precision over 1000"},
		{"printf huge precision", `{{printf "%.5000f" 1.0}}`, "width or precision over 1000"},
		{"call", `{{call .Fields.s}}`, "call is not allowed"},
		{"date of text", `{{date "date" .Fields.s}}`, `date: "x" is not a time`},
		{"date long layout", `{{date "` + strings.Repeat("x", 101) + `" .Now}}`, "layout too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := renderString(t, tt.tpl, is, testLimits)
			assert.ErrorContains(t, err, tt.want)
		})
	}
}

func TestTemplateParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, tpl, want string
	}{
		{"define", `{{define "x"}}a{{end}}`, "define and block are not allowed"},
		{"block", `{{block "x" .}}a{{end}}`, "define and block are not allowed"},
		{"template", `{{template "x" .}}`, "calling templates is not allowed"},
		{"nested template", `{{if .ID}}{{range .Labels}}{{template "x"}}{{end}}{{end}}`, "calling templates is not allowed"},
		{"syntax", `{{.ID`, "template line 1: unclosed action"},
		{"unknown func", `{{readFile "/etc/passwd"}}`, `function "readFile" not defined`},
		{"time Format", `{{.Now.Format "2006"}}`, "Format is not allowed"},
		{"Format on dot", `{{with .Created}}{{.Format "2"}}{{end}}`, "Format is not allowed"},
		{"Format on a variable", `{{$t := .Now}}{{if $t}}{{$t.Format "2"}}{{end}}`, "Format is not allowed"},
		{"Format in a chain", `{{len (.Now).AppendFormat}}`, "AppendFormat is not allowed"},
		{"Format in a range pipe", `{{range .Now.Format "1"}}{{end}}`, "Format is not allowed"},
		{"Format as a map key", `{{.Fields.Format}}`, "Format is not allowed"},
		{"too long", strings.Repeat("x", maxTemplateSource+1), "template longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseTemplate(tt.tpl)
			assert.ErrorContains(t, err, tt.want)
		})
	}
}

func TestTemplateOutputCap(t *testing.T) {
	t.Parallel()
	is := &tracker.Issue{Summary: strings.Repeat("x", 1000)}
	lim := testLimits
	lim.MaxOutput = 2500
	got, err := renderString(t, `{{.Summary}}{{.Summary}}`, is, lim)
	require.NoError(t, err)
	assert.Len(t, got, 2000)

	_, err = renderString(t, `{{range 3}}{{$.Summary}}{{end}}`, is, lim)
	require.ErrorIs(t, err, ErrOutputTooLarge)
	assert.ErrorContains(t, err, "over 2500 bytes")

	_, err = renderString(t, `{{range 10}}{{printf "%1000s" "x"}}{{end}}`, is, lim)
	assert.ErrorIs(t, err, ErrOutputTooLarge)
}

func TestTemplateMadeBytesCap(t *testing.T) {
	t.Parallel()
	// Each step at least doubles $a: 40 of them would make terabytes.
	double := `{{$a := .Summary}}` + strings.Repeat(`{{$a = STEP}}`, 40) + `{{len $a}}`
	tests := map[string]string{
		"printf":   `printf "%s%s" $a $a`,
		"print":    `print $a $a`,
		"println":  `println $a $a`,
		"join":     `join $a .Labels`,
		"js":       `js $a $a`,
		"html":     `html $a $a`,
		"urlquery": `urlquery $a $a`,
		"markdown": `markdown (print $a $a)`,
		"upper":    `upper (print $a $a)`,
	}
	is := &tracker.Issue{Summary: "<x>", Labels: []string{"a", "b", "c"}}
	for name, step := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := renderString(t, strings.ReplaceAll(double, "STEP", step), is, testLimits)
			require.ErrorIs(t, err, ErrOutputTooLarge)
			assert.ErrorContains(t, err, "functions made over")
		})
	}
	// Many large arguments to one call fail before they are formatted.
	wide := `{{$a := printf "%900s" "x"}}{{$a = print` + strings.Repeat(" $a", 2000) + `}}`
	_, err := renderString(t, wide, is, testLimits)
	assert.ErrorIs(t, err, ErrOutputTooLarge)
}

func TestTemplateTimeBound(t *testing.T) {
	t.Parallel()
	lim := testLimits
	lim.Timeout = time.Nanosecond
	// The deadline has passed by the first write or range step, whichever
	// way the goroutine and the timer race.
	for _, src := range []string{`{{.ID}}`, `{{range 5}}{{end}}`} {
		_, err := renderString(t, src, &tracker.Issue{ID: "1"}, lim)
		assert.ErrorIs(t, err, ErrTimeout, src)
	}
}

func TestTemplateIterationBound(t *testing.T) {
	t.Parallel()
	lim := testLimits
	lim.MaxIterations = 100
	tests := []struct {
		tpl  string
		fail bool
	}{
		{`{{range 100}}{{end}}`, false},
		{`{{range 101}}{{end}}`, true},
		{`{{range 1000000000000000000}}{{end}}`, true},
		{`{{range 10}}{{range 10}}{{end}}{{end}}`, true}, // 10 + 10*10
		{`{{range 9}}{{range 10}}{{end}}{{end}}`, false},
		{`{{range $i := 50}}{{range $i}}{{end}}{{end}}`, true},
		{`{{range .Labels}}{{end}}`, false},
	}
	for _, tt := range tests {
		_, err := renderString(t, tt.tpl, &tracker.Issue{Labels: []string{"a"}}, lim)
		if tt.fail {
			assert.ErrorIs(t, err, ErrTooManyLoops, tt.tpl)
		} else {
			assert.NoError(t, err, tt.tpl)
		}
	}
}

func TestTemplateRangeRewrite(t *testing.T) {
	t.Parallel()
	tpl, err := parseTemplate(`{{range $i, $l := .Labels}}{{range 2}}.{{end}}{{else}}none{{end}}`)
	require.NoError(t, err)
	assert.Equal(t, `{{range $i, $l := .Labels | _rangeguard $}}{{_rangetick}}{{range 2 | _rangeguard $}}{{_rangetick}}.{{end}}{{else}}none{{end}}`,
		tpl.base.Root.String())
}

func TestTemplateTickStopsAbortedRun(t *testing.T) {
	t.Parallel()
	b := &binding{&run{limits: testLimits, started: time.Now()}}
	_, err := b.tick()
	require.NoError(t, err)
	b.r.aborted.Store(true)
	_, err = b.tick()
	assert.ErrorIs(t, err, ErrTimeout)
}

func TestTemplateGuardNeedsRun(t *testing.T) {
	t.Parallel()
	_, err := rangeGuard(nil, 3)
	assert.Error(t, err)
	_, err = rangeGuard(&TemplateData{run: &run{limits: testLimits, started: time.Now()}}, make(chan int))
	assert.Error(t, err)
	assert.False(t, errors.Is(err, ErrTooManyLoops))
}

// TestTemplateConcurrentRenders shares one template's pooled clones between
// goroutines; -race checks that each execution charges its own run.
func TestTemplateConcurrentRenders(t *testing.T) {
	t.Parallel()
	tpl, err := parseTemplate(`{{.ID | upper}}-{{printf "%d" (len .Labels)}}`)
	require.NoError(t, err)
	errs := make(chan error, 8)
	for i := range 8 {
		go func() {
			id := strings.Repeat("a", i)
			got, err := render(tpl, &tracker.Issue{ID: id, Labels: make([]string, i)}, testNow, testLimits)
			if err == nil && got != strings.ToUpper(id)+"-"+strconv.Itoa(i) {
				err = errors.New("got " + got)
			}
			errs <- err
		}()
	}
	for range 8 {
		assert.NoError(t, <-errs)
	}
}
