package mapping

import (
	"math"
	"strings"
	"testing"
	"text/template"
	"time"
)

// BenchmarkApplyS3 maps one ExtraHop detection through the S3 spec:
// rule, two templates, a range map, labels and defaults.
func BenchmarkApplyS3(b *testing.B) {
	f := mustBuiltin(b, "extrahop-to-jira")
	src := detection()
	b.ReportAllocs()
	for b.Loop() {
		res, err := f.Apply(src, testNow)
		if err != nil || !res.Match {
			b.Fatal(err, res)
		}
	}
}

// BenchmarkBackS3 maps one Jira ticket back onto its detection.
func BenchmarkBackS3(b *testing.B) {
	f := mustBuiltin(b, "extrahop-to-jira")
	ticket := detection()
	ticket.Key, ticket.StatusCategory = "SEC-1", "done"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.ApplyBack(ticket); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadS3 parses and checks the S3 spec.
func BenchmarkLoadS3(b *testing.B) {
	data, err := builtinSpecs.ReadFile("specs/extrahop-to-jira.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTemplatesDirect is a baseline for BenchmarkApplyS3: the S3
// summary and description templates executed straight through
// text/template, without limits, goroutine, copying or mapping.
func BenchmarkTemplatesDirect(b *testing.B) {
	f := mustBuiltin(b, "extrahop-to-jira")
	// A run with no practical bounds: the functions need one.
	unbounded := &binding{&run{limits: Limits{MaxOutput: math.MaxInt / madeFactor, Timeout: time.Hour}, started: time.Now()}}
	var tpls []*template.Template
	for _, name := range []string{"summary", "description"} {
		t, err := template.New(name).Funcs(funcs(unbounded)).Parse(f.Fields[name].Template)
		if err != nil {
			b.Fatal(err)
		}
		tpls = append(tpls, t)
	}
	data := newTemplateData(detection(), testNow, nil)
	b.ReportAllocs()
	for b.Loop() {
		for _, t := range tpls {
			var out strings.Builder
			if err := t.Execute(&out, data); err != nil {
				b.Fatal(err)
			}
		}
	}
}
