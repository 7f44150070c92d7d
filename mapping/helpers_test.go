package mapping

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var testNow = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// mustFlow parses a one-flow spec and returns its flow.
func mustFlow(t testing.TB, spec string) *FlowSpec {
	t.Helper()
	s, err := Parse([]byte(spec))
	require.NoError(t, err)
	return s.Flows[0]
}

// mustBuiltin returns the flow of a built-in spec.
func mustBuiltin(t testing.TB, name string) *FlowSpec {
	t.Helper()
	s, err := Builtin(name)
	require.NoError(t, err)
	return s.Flow(name)
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
