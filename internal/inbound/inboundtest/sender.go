package inboundtest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Target is where a fake server posts its webhooks.
type Target struct {
	URL string
	// Header returns the headers of one delivery: its id (stable across
	// retries) and body are given, so a target can sign the body.
	Header func(id string, body []byte) http.Header
	// Retries is how often a delivery answered with an error or a non-2xx
	// status is sent again, at once.
	Retries int
	// Events, when set, limits the events posted to this target.
	Events []string
}

// Delivery records one attempt to post a webhook.
type Delivery struct {
	ID     string
	URL    string
	Event  string
	Body   []byte
	Header http.Header
	// Status is the answer's status; 0 when the request failed (Err).
	Status int
	Err    string
}

// OK reports whether the target accepted the delivery.
func (d Delivery) OK() bool { return d.Status >= 200 && d.Status < 300 }

// Sender posts webhooks for a fake server asynchronously, one at a time
// and in the order they were sent, so a fake's handlers never wait for a
// receiver (which may call the fake back). Flush waits until everything
// sent so far was posted. The zero value is ready to use; it is safe for
// concurrent use.
type Sender struct {
	// Client posts the deliveries; nil uses a client with a 10 s timeout.
	Client *http.Client
	// Prefix starts delivery ids ("jira-"); ids count from 1.
	Prefix string

	mu      sync.Mutex
	targets []Target
	queue   []job
	running bool
	last    chan struct{} // done channel of the last job queued
	seq     int
	log     []Delivery
	closed  bool
}

type job struct {
	event string
	body  []byte
	done  chan struct{}
}

// Add registers a target.
func (s *Sender) Add(t Target) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.targets = append(s.targets, t)
}

// Active reports whether any target is registered.
func (s *Sender) Active() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.targets) > 0 && !s.closed
}

// Send queues body, the payload of event, for every target. It never
// blocks on the network.
func (s *Sender) Send(event string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.targets) == 0 || s.closed {
		return
	}
	j := job{event: event, body: bytes.Clone(body), done: make(chan struct{})}
	s.queue = append(s.queue, j)
	s.last = j.done
	if !s.running {
		s.running = true
		go s.run()
	}
}

func (s *Sender) run() {
	for {
		s.mu.Lock()
		if len(s.queue) == 0 || s.closed {
			for _, j := range s.queue {
				close(j.done)
			}
			s.queue = nil
			s.running = false
			s.mu.Unlock()
			return
		}
		j := s.queue[0]
		s.queue = s.queue[1:]
		targets := append([]Target(nil), s.targets...)
		s.mu.Unlock()
		for _, t := range targets {
			s.post(t, j)
		}
		close(j.done)
	}
}

func (s *Sender) post(t Target, j job) {
	if len(t.Events) > 0 && !slices.Contains(t.Events, j.event) {
		return
	}
	s.mu.Lock()
	s.seq++
	id := s.Prefix + strconv.Itoa(s.seq)
	s.mu.Unlock()
	client := s.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	for range t.Retries + 1 {
		d := Delivery{ID: id, URL: t.URL, Event: j.event, Body: j.body}
		req, err := http.NewRequest(http.MethodPost, t.URL, bytes.NewReader(j.body))
		if err == nil {
			if t.Header != nil {
				req.Header = t.Header(id, j.body)
			}
			d.Header = req.Header.Clone()
			var resp *http.Response
			resp, err = client.Do(req)
			if err == nil {
				_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
				resp.Body.Close()
				d.Status = resp.StatusCode
			}
		}
		if err != nil {
			d.Err = err.Error()
		}
		s.mu.Lock()
		s.log = append(s.log, d)
		s.mu.Unlock()
		if d.OK() {
			return
		}
	}
}

// Flush waits until every webhook sent before the call was posted (or
// given up), or ctx ends.
func (s *Sender) Flush(ctx context.Context) error {
	s.mu.Lock()
	last := s.last
	s.mu.Unlock()
	if last == nil {
		return nil
	}
	select {
	case <-last:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("webhooks not flushed: %w", ctx.Err())
	}
}

// Deliveries returns every attempt so far, oldest first.
func (s *Sender) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.log...)
}

// Close drops what is queued and sends nothing more.
func (s *Sender) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
}
