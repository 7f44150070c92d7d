package jiratest

import (
	"net/http"
	"slices"
	"time"

	"github.com/trackbridge/trackbridge/internal/fakeserver"
)

// AnswerLoss says what becomes of the answer to a request the fake has
// carried out: delivered, replaced by a gateway's 502, or lost with the
// connection.
type AnswerLoss = fakeserver.Loss

// Answer losses for [Server.LoseAnswers].
const (
	// Deliver sends the answer.
	Deliver = fakeserver.Deliver
	// LoseTo502 makes the change, then answers 502 Bad Gateway with an
	// HTML page, as a proxy in front of Jira does when Jira is slow.
	LoseTo502 = fakeserver.LoseTo502
	// LoseToReset makes the change, then closes the connection unanswered.
	LoseToReset = fakeserver.LoseToReset
)

// LoseAnswers decides, for every authenticated request from now on, whether
// its answer reaches the client once the fake has carried it out; route
// names the request as [Server.Requests] does ("POST /rest/api/3/issue").
// nil delivers every answer. Use it to test that a client or engine treats
// a write whose answer was lost as unknown, not failed.
func (s *Server) LoseAnswers(rule func(route string, r *http.Request) AnswerLoss) {
	if rule == nil {
		s.faults.SetLoss(nil)
		return
	}
	s.faults.SetLoss(func(r *http.Request, route string) fakeserver.Loss {
		if !s.authenticated(r) {
			return fakeserver.Deliver
		}
		return rule(route, r)
	})
}

// WithSearchLag makes searches lag behind creates the way Jira Cloud's
// search index does: an issue shows up in search results only once the
// fake's clock has passed its creation by d. On Cloud, issues named in the
// search's reconcileIssues are always current, as Jira documents. Get by
// key is never stale.
func WithSearchLag(d time.Duration) Option { return func(s *Server) { s.searchLag = d } }

// indexed drops the issues the search index has not caught up with yet.
// It runs with s.mu held.
func (s *Server) indexed(all []*issue, reconcile []int64) []*issue {
	if s.searchLag <= 0 {
		return all
	}
	horizon := s.now().Add(-s.searchLag)
	return slices.DeleteFunc(all, func(is *issue) bool {
		return is.created.After(horizon) && !slices.Contains(reconcile, is.id)
	})
}
