package storetest

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/tracker"
)

// Environment variables by which RunProcesses tells the copies of the
// test binary it starts what to do.
const (
	envLocation = "TRACKBRIDGE_STORETEST_LOCATION"
	envWorker   = "TRACKBRIDGE_STORETEST_WORKER"
)

// Shape of the two-process race.
const (
	procWorkers    = 2  // processes
	procGoroutines = 4  // per process
	procOps        = 50 // per goroutine: procGoroutines*procOps = 200 per process
	procKeys       = 10
	procLeaseTTL   = time.Minute // far longer than the test: no lease expires
)

// OpenFunc opens the durable store at location with the real clock.
type OpenFunc func(ctx context.Context, location string) (store.Store, error)

// HelperMain runs the worker side of [RunProcesses] when the process is
// one of the copies RunProcesses started, and reports ok. Call it first in
// TestMain:
//
//	func TestMain(m *testing.M) {
//		if code, ok := storetest.HelperMain(open); ok {
//			os.Exit(code)
//		}
//		os.Exit(m.Run())
//	}
func HelperMain(open OpenFunc) (code int, ok bool) {
	location, worker := os.Getenv(envLocation), os.Getenv(envWorker)
	if location == "" || worker == "" {
		return 0, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := runWorker(ctx, open, location, worker)
	if err != nil {
		fmt.Fprintf(os.Stderr, "worker %s: %v\n", worker, err)
		return 1, true
	}
	if err := json.NewEncoder(os.Stdout).Encode(rep); err != nil {
		fmt.Fprintf(os.Stderr, "worker %s: %v\n", worker, err)
		return 1, true
	}
	return 0, true
}

// hold is one time a worker held a lease, as seen from inside: the real
// hold began before Start and ended after End.
type hold struct {
	Key        string
	Owner      string
	Token      int64
	Start, End int64 // unix nanoseconds
}

// report is what a worker prints when done.
type report struct {
	Worker string
	Holds  []hold
	// Free counts the successful compare-and-set increments per key made
	// without a lease; Conflicts the retries they needed.
	Free      map[string]int
	Conflicts int
	// Held counts acquisitions refused because the lease was held.
	Held int
}

func runWorker(ctx context.Context, open OpenFunc, location, worker string) (*report, error) {
	s, err := open(ctx, location)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	rep := &report{Worker: worker, Free: make(map[string]int)}
	var mu sync.Mutex
	errs := make([]error, procGoroutines)
	var wg sync.WaitGroup
	for g := range procGoroutines {
		wg.Go(func() {
			owner := worker + "/" + strconv.Itoa(g)
			for i := range procOps {
				key := "k" + strconv.Itoa((i+g)%procKeys)
				h, held, err := leasedIncrement(ctx, s, key, owner)
				if err != nil {
					errs[g] = err
					return
				}
				conflicts, err := increment(ctx, s, "free", key)
				if err != nil {
					errs[g] = err
					return
				}
				mu.Lock()
				if held {
					rep.Held++
				} else {
					rep.Holds = append(rep.Holds, h)
				}
				rep.Free[key]++
				rep.Conflicts += conflicts
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return rep, errors.Join(errs...)
}

// leasedIncrement takes the key's lease and, holding it, increments the
// key's "leased" counter, which must never conflict.
func leasedIncrement(ctx context.Context, s store.Store, key, owner string) (h hold, held bool, err error) {
	l, err := s.AcquireLease(ctx, "lease/"+key, owner, procLeaseTTL)
	if errors.Is(err, store.ErrLeaseHeld) {
		return hold{}, true, nil
	}
	if err != nil {
		return hold{}, false, err
	}
	h = hold{Key: key, Owner: owner, Token: l.Token, Start: time.Now().UnixNano()}
	conflicts, err := increment(ctx, s, "leased", key)
	if err == nil && conflicts > 0 {
		err = fmt.Errorf("lease %s held by %s: %d compare-and-set conflicts on its counter", key, owner, conflicts)
	}
	h.End = time.Now().UnixNano()
	if rerr := s.ReleaseLease(ctx, l); err == nil {
		err = rerr
	}
	return h, false, err
}

// increment adds one to the counter kept in a link's FieldHashes, creating
// the link if needed and retrying on conflict. It returns the retries.
func increment(ctx context.Context, s store.Store, flow, key string) (conflicts int, err error) {
	src := tracker.Ref{Tracker: "counter", ID: key}
	for {
		l, err := s.GetLink(ctx, flow, src)
		if errors.Is(err, store.ErrNotFound) {
			l, err = &store.Link{Flow: flow, Source: src, State: store.StatePending, FieldHashes: map[string]string{}}, nil
		}
		if err != nil {
			return conflicts, err
		}
		n, _ := strconv.Atoi(l.FieldHashes["counter"])
		l.FieldHashes["counter"] = strconv.Itoa(n + 1)
		err = s.PutLink(ctx, l)
		if !errors.Is(err, store.ErrConflict) {
			return conflicts, err
		}
		conflicts++
	}
}

// RunProcesses starts two copies of the test binary that race over the
// durable store at location, s an open handle on it: each takes leases,
// increments counters under them and increments other counters by bare
// compare-and-set. It then checks that no lease was held by two at once
// (nor handed out twice with one token) and that no increment was lost.
// The binary's TestMain must call [HelperMain].
func RunProcesses(t *testing.T, s store.Store, location string) {
	ctx := t.Context()
	var reps []*report
	type result struct {
		rep *report
		err error
	}
	results := make(chan result, procWorkers)
	for w := range procWorkers {
		worker := "w" + strconv.Itoa(w)
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), envLocation+"="+location, envWorker+"="+worker)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		require.NoError(t, cmd.Start())
		go func() {
			err := cmd.Wait()
			if err != nil {
				results <- result{err: fmt.Errorf("worker %s: %w\n%s", worker, err, stderr.String())}
				return
			}
			var rep report
			err = json.NewDecoder(io.LimitReader(&stdout, 10<<20)).Decode(&rep)
			results <- result{&rep, err}
		}()
	}
	for range procWorkers {
		r := <-results
		require.NoError(t, r.err)
		reps = append(reps, r.rep)
	}

	holds := make(map[string][]hold)
	free := make(map[string]int)
	conflicts, held := 0, 0
	for _, r := range reps {
		for _, h := range r.Holds {
			holds[h.Key] = append(holds[h.Key], h)
		}
		for k, n := range r.Free {
			free[k] += n
		}
		conflicts += r.Conflicts
		held += r.Held
		assert.NotEmpty(t, r.Holds, "worker %s never got a lease", r.Worker)
	}
	t.Logf("%d leases held, %d refused as held, %d compare-and-set conflicts retried", countHolds(holds), held, conflicts)
	assert.Equal(t, procWorkers*procGoroutines*procOps, countHolds(holds)+held, "every attempt accounted for")

	for key, hs := range holds {
		slices.SortFunc(hs, func(a, b hold) int { return cmp.Compare(a.Token, b.Token) })
		for i := 1; i < len(hs); i++ {
			prev, cur := hs[i-1], hs[i]
			assert.NotEqual(t, prev.Token, cur.Token, "lease %s: token %d handed out twice", key, cur.Token)
			assert.LessOrEqual(t, prev.End, cur.Start, "lease %s: %s (token %d) and %s (token %d) held it at once",
				key, prev.Owner, prev.Token, cur.Owner, cur.Token)
		}
		l, err := s.GetLink(ctx, "leased", tracker.Ref{Tracker: "counter", ID: key})
		require.NoError(t, err)
		assert.Equal(t, strconv.Itoa(len(hs)), l.FieldHashes["counter"], "lease %s: increments under the lease", key)
	}
	for key, n := range free {
		l, err := s.GetLink(ctx, "free", tracker.Ref{Tracker: "counter", ID: key})
		require.NoError(t, err)
		assert.Equal(t, strconv.Itoa(n), l.FieldHashes["counter"], "key %s: no compare-and-set lost", key)
		assert.Equal(t, int64(n), l.Version)
	}
}

func countHolds(holds map[string][]hold) int {
	n := 0
	for _, hs := range holds {
		n += len(hs)
	}
	return n
}
