package mapping

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/trackbridge/trackbridge/tracker"
)

func FuzzLoad(f *testing.F) {
	paths, _ := filepath.Glob("specs/*.yaml")
	more, _ := filepath.Glob("testdata/*")
	for _, p := range append(paths, more...) {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, filepath.Ext(p) == ".json")
	}
	f.Add([]byte("flows:\n  - {name: a, source: s, target: t, when: {field: key, in: [1, 2.5, x, 2026-01-01]}}"), false)
	f.Add([]byte(`{"flows": [{"name": "a", "source": "s", "target": "t", "fields": {"summary": {"template": "{{range 5}}{{.}}{{end}}"}}}]}`), true)
	f.Add([]byte("a: &a [*a]\nflows: *a"), false)
	f.Add([]byte(""), true)
	f.Add([]byte("flows:\x00"), false)
	f.Add([]byte("{\"flows\": [{\"name\": 5"), true)
	f.Add([]byte("flows:\n  - defaults: {fields: {x: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}"), false)
	f.Add([]byte("\xff"), false)
	f.Add([]byte("00"), false)
	f.Add([]byte("flows:\n  - <<: [{name: a}, {source: s}]\n    target: t\n    values: {priority: {from: status, map: {a: b, A: c}, default: x}}"), false)
	src := detection()
	f.Fuzz(func(t *testing.T, data []byte, isJSON bool) {
		format := YAML
		if isJSON {
			format = JSON
		}
		s, err := Load(bytesReader(data), format)
		if err != nil {
			if s != nil {
				t.Fatal("spec and error both returned")
			}
			// Every load error says where: a path with its line, or a
			// line and byte offset in the document.
			var errs *Errors
			if !errors.As(err, &errs) {
				t.Fatalf("error %T without a position: %v", err, err)
			}
			for _, fe := range errs.List {
				if fe.Line <= 0 && fe.Msg != fmt.Sprintf("too many mistakes; stopped after %d", len(errs.List)-1) {
					t.Fatalf("error without a line: %v", fe)
				}
			}
			return
		}
		for _, fl := range s.Flows {
			_, _ = fl.Apply(src, testNow)
			_, _ = fl.ApplyBack(src)
			_, _ = fl.ApplyAfterCreate(src, src, testNow)
		}
	})
}

func FuzzRender(f *testing.F) {
	for _, seed := range []string{
		`{{.Summary | upper}}`,
		`ExtraHop Detection: {{.ID}}: {{.Summary}}`,
		`{{range .Fields.mitre_tactics}}- {{. | markdown}}{{end}}`,
		`{{range $i, $e := .Labels}}{{$i}}{{$e | truncate 3}}{{end}}`,
		`{{.Fields.start_time | date "rfc3339" | default "x"}}`,
		`{{printf "%5.2f|%[1]v" 3.14159}}`,
		`{{range 100}}{{range 100}}x{{end}}{{end}}`,
		`{{if ge .Fields.risk_score 50}}{{.Fields.risk_score}}{{else}}low{{end}}`,
		`{{with .Fields.participants}}{{index . 0}}{{end}}`,
		`{{join "," .Labels | urlescape | pathescape | title | lower}}`,
		`{{slice .Summary 1 3}}{{len .Labels}}{{.Now}}`,
	} {
		f.Add(seed, "summary ü", int64(42))
	}
	lim := Limits{MaxOutput: 4 << 10, Timeout: 200 * time.Millisecond, MaxIterations: 1000}
	f.Fuzz(func(t *testing.T, src, summary string, risk int64) {
		tpl, err := parseTemplate(src)
		if err != nil {
			return
		}
		is := detection()
		is.Summary = summary
		is.Fields["risk_score"] = risk
		out, err := render(tpl, is, testNow, lim)
		if err == nil && len(out) > lim.MaxOutput {
			t.Fatalf("output of %d bytes passed the %d cap", len(out), lim.MaxOutput)
		}
		_, _ = render(tpl, &tracker.Issue{}, time.Time{}, lim)
	})
}
