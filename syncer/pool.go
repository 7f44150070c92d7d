package syncer

import "sync"

// pool runs the work of one Apply on a fixed number of workers, so that
// the requests in flight equal Concurrency however the work is cut. Work
// may add work (a bulk create adds one follow-up per ticket it made:
// link, transition, write-back), and adding never blocks. Follow-ups run
// before units not yet started, so leases taken for a bulk are given back
// soon and the work of a batch finishes together.
type pool struct {
	mu      sync.Mutex
	wake    *sync.Cond
	next    []func() // follow-ups, first
	later   []func() // units not yet started
	closed  bool
	pending sync.WaitGroup
	workers sync.WaitGroup
}

// newPool starts n workers.
func newPool(n int) *pool {
	p := &pool{}
	p.wake = sync.NewCond(&p.mu)
	for range max(n, 1) {
		p.workers.Add(1)
		go p.work()
	}
	return p
}

// add queues fn; a follow-up runs before every unit not yet started.
func (p *pool) add(followUp bool, fn func()) {
	p.pending.Add(1)
	p.mu.Lock()
	if followUp {
		p.next = append(p.next, fn)
	} else {
		p.later = append(p.later, fn)
	}
	p.mu.Unlock()
	p.wake.Signal()
}

// wait returns when all work, including work added meanwhile, is done,
// and stops the workers.
func (p *pool) wait() {
	p.pending.Wait()
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.wake.Broadcast()
	p.workers.Wait()
}

func (p *pool) work() {
	defer p.workers.Done()
	for {
		p.mu.Lock()
		for len(p.next) == 0 && len(p.later) == 0 && !p.closed {
			p.wake.Wait()
		}
		var fn func()
		switch {
		case len(p.next) > 0:
			fn, p.next[0] = p.next[0], nil
			p.next = p.next[1:]
		case len(p.later) > 0:
			fn, p.later[0] = p.later[0], nil
			p.later = p.later[1:]
		default: // closed and empty
			p.mu.Unlock()
			return
		}
		p.mu.Unlock()
		fn()
		p.pending.Done()
	}
}

// spawn runs a follow-up on the run's pool, or at once when the run has
// none (an event handled outside Apply).
func (r *run) spawn(fn func()) {
	if r.pool == nil {
		fn()
		return
	}
	r.queue(true, fn)
}

// queue queues a piece of the run's work on its pool, counted in
// r.pending.
func (r *run) queue(followUp bool, fn func()) {
	r.pending.Add(1)
	r.pool.add(followUp, func() {
		defer r.pending.Done()
		fn()
	})
}
