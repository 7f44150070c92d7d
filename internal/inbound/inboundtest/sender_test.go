package inboundtest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSenderDeliversInOrderAndFlushes(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []string
	fail := 1
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, r.Header.Get("X-Event")+" "+r.Header.Get("X-Id"))
		if fail > 0 {
			fail--
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	var s Sender
	s.Prefix = "d-"
	assert.False(t, s.Active())
	s.Send("dropped", []byte("{}")) // no target yet
	require.NoError(t, s.Flush(t.Context()))
	s.Add(Target{URL: srv.URL, Retries: 1, Events: []string{"a", "b"}, Header: func(id string, body []byte) http.Header {
		return http.Header{"X-Id": {id}, "X-Event": {string(body)}}
	}})
	assert.True(t, s.Active())
	for _, ev := range []string{"a", "c", "b"} {
		s.Send(ev, []byte(ev))
	}
	require.NoError(t, s.Flush(t.Context()))
	mu.Lock()
	assert.Equal(t, []string{"a d-1", "a d-1", "b d-2"}, got, "in order, retried with the same id, filtered")
	mu.Unlock()
	ds := s.Deliveries()
	require.Len(t, ds, 3)
	assert.False(t, ds[0].OK())
	assert.True(t, ds[1].OK())
	assert.Equal(t, "b", ds[2].Event)
}

func TestSenderFlushHonoursContext(t *testing.T) {
	t.Parallel()
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	defer srv.Close()
	defer close(block)
	var s Sender
	s.Add(Target{URL: srv.URL})
	s.Send("a", []byte("{}"))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	assert.ErrorIs(t, s.Flush(ctx), context.Canceled)
	s.Close()
	s.Send("b", []byte("{}"))
	assert.False(t, s.Active(), "a closed sender sends nothing more")
}
