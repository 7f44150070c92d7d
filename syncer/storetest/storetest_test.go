package storetest_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/syncer/store/memory"
	"github.com/trackbridge/trackbridge/syncer/storetest"
)

func TestClock(t *testing.T) {
	t.Parallel()
	c := storetest.NewClock()
	start := c.Now()
	assert.Equal(t, start, start.Truncate(time.Microsecond), "microsecond precision")
	c.Advance(time.Minute)
	assert.Equal(t, time.Minute, c.Now().Sub(start))
}

// A store's test file runs the suite with a function that opens an empty
// store reading the given clock.
func ExampleRun() {
	_ = func(t *testing.T) {
		storetest.Run(t, func(tb testing.TB, now func() time.Time) store.Store {
			s := memory.New(memory.WithClock(now))
			tb.Cleanup(func() { _ = s.Close() })
			return s
		})
	}
}
