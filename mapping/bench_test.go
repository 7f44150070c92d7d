package mapping

import (
	"testing"
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
		if _, err := f.Back(ticket); err != nil {
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
