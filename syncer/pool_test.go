package syncer

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// Follow-ups added by running work go before units not yet started, and
// wait returns only when they are done too.
func TestPoolRunsFollowUpsFirstAndWaitsForThem(t *testing.T) {
	t.Parallel()
	p := newPool(1)
	var mu sync.Mutex
	var order []string
	did := func(s string) { mu.Lock(); order = append(order, s); mu.Unlock() }
	p.add(false, func() {
		did("A")
		p.add(true, func() { did("A.1") })
		p.add(true, func() { did("A.2"); p.add(true, func() { did("A.2.1") }) })
	})
	p.add(false, func() { did("B") })
	p.add(false, func() { did("C") })

	p.wait()

	assert.Equal(t, []string{"A", "A.1", "A.2", "A.2.1", "B", "C"}, order)
}

// n workers run n pieces of work at once.
func TestPoolRunsItsWorkersAtOnce(t *testing.T) {
	t.Parallel()
	const n = 4
	p := newPool(n)
	var started sync.WaitGroup
	started.Add(n)
	all := make(chan struct{})
	go func() { started.Wait(); close(all) }()
	met := make(chan bool, n)
	for range n {
		p.add(false, func() {
			started.Done()
			select {
			case <-all:
				met <- true
			case <-time.After(10 * time.Second):
				met <- false
			}
		})
	}
	p.wait()
	close(met)
	for ok := range met {
		assert.True(t, ok, "a worker waited in vain for the others to start")
	}
}

// A run without a pool (an event handled outside Apply) runs follow-ups
// at once.
func TestSpawnWithoutPoolRunsAtOnce(t *testing.T) {
	t.Parallel()
	r := &run{}
	ran := false
	r.spawn(func() { ran = true })
	assert.True(t, ran)
}
