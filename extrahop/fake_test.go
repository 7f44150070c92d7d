package extrahop_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/extrahop"
	"github.com/trackbridge/trackbridge/extrahop/extrahoptest"
	"github.com/trackbridge/trackbridge/internal/contract"
	"github.com/trackbridge/trackbridge/tracker"
)

// newContractClient returns a client of srv whose every request and answer
// is checked against ExtraHop's (corrected) OpenAPI document.
func newContractClient(t *testing.T, srv *extrahoptest.Server, opts ...extrahop.Option) *extrahop.Client {
	t.Helper()
	spec := contract.Load(t, contract.ExtraHop)
	hc := &http.Client{Transport: spec.Transport(t, srv.Client().Transport, contract.Allow("POST", "/oauth2/token"))}
	if len(opts) == 0 {
		opts = []extrahop.Option{extrahop.WithAPIKey(extrahoptest.DefaultAPIKey)}
	}
	opts = append(opts, extrahop.WithHTTPClient(hc), extrahop.WithRetryWait(time.Millisecond, 5*time.Millisecond))
	c, err := extrahop.New(srv.URL(), opts...)
	require.NoError(t, err)
	return c
}

// newClient returns a client of srv without contract checks, for error
// paths the community document does not declare (401, 429, PATCH 404) and
// for volume tests.
func newClient(t *testing.T, srv *extrahoptest.Server, opts ...extrahop.Option) *extrahop.Client {
	t.Helper()
	if len(opts) == 0 {
		opts = []extrahop.Option{extrahop.WithAPIKey(extrahoptest.DefaultAPIKey)}
	}
	opts = append(opts, extrahop.WithHTTPClient(srv.Client()), extrahop.WithRetryWait(time.Millisecond, 5*time.Millisecond))
	c, err := extrahop.New(srv.URL(), opts...)
	require.NoError(t, err)
	return c
}

func TestContractGetAndSearch(t *testing.T) {
	t.Parallel()
	srv := extrahoptest.NewServer(t)
	ids := srv.Seed(10)
	c := newContractClient(t, srv)
	ctx := context.Background()

	d, _, err := c.Detections.Get(ctx, ids[0], nil)
	require.NoError(t, err)
	assert.Equal(t, ids[0], d.ID)
	assert.Greater(t, d.ID, int64(1)<<31)
	assert.NotEmpty(t, d.Title)

	min := 80
	list, _, err := c.Detections.Search(ctx, &extrahop.DetectionSearch{
		Filter: &extrahop.DetectionFilter{Status: []string{extrahop.FilterNone}, RiskScoreMin: &min, Categories: []string{"sec.attack", "sec.exfil", "sec.exploit"}},
		Sort:   []extrahop.Sort{{Field: "risk_score", Direction: "desc"}},
		Limit:  5,
	})
	require.NoError(t, err)
	require.NotEmpty(t, list)
	for i, d := range list {
		require.NotNil(t, d.RiskScore)
		assert.GreaterOrEqual(t, *d.RiskScore, min)
		if i > 0 {
			assert.LessOrEqual(t, *d.RiskScore, *list[i-1].RiskScore)
		}
	}

	_, _, err = c.Detections.Get(ctx, 42, nil)
	assert.ErrorIs(t, err, tracker.ErrNotFound)
	var apiErr *extrahop.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "Detection 42 not found", apiErr.Message)
}

func TestContractTicketWriteBack(t *testing.T) {
	t.Parallel()
	srv := extrahoptest.NewServer(t)
	ids := srv.Seed(3)
	c := newContractClient(t, srv)
	ctx := context.Background()
	before, _ := srv.Detection(ids[0])

	_, err := c.Detections.Update(ctx, ids[0], &extrahop.DetectionUpdate{
		TicketID: tracker.Ptr("SEC-12"), Status: tracker.Ptr(extrahop.StatusInProgress), Assignee: tracker.Ptr("sally"),
	})
	require.NoError(t, err)
	got, ok := srv.Detection(ids[0])
	require.True(t, ok)
	assert.Equal(t, "SEC-12", got.TicketIDValue())
	assert.Equal(t, extrahop.StatusInProgress, got.StatusValue())
	assert.Equal(t, "sally", got.AssigneeValue())
	assert.True(t, got.ModTime.After(before.ModTime.Time), "PATCH must bump mod_time")

	// Close every detection of the ticket at once.
	_, err = c.Detections.Update(ctx, ids[1], &extrahop.DetectionUpdate{TicketID: tracker.Ptr("SEC-12")})
	require.NoError(t, err)
	_, err = c.Detections.UpdateByTicket(ctx, &extrahop.TicketUpdate{
		TicketID: "SEC-12", Status: tracker.Ptr(extrahop.StatusClosed), Resolution: tracker.Ptr(extrahop.ResolutionActionTaken),
	})
	require.NoError(t, err)
	for _, id := range ids[:2] {
		d, _ := srv.Detection(id)
		assert.Equal(t, extrahop.StatusClosed, d.StatusValue(), "detection %d", id)
		assert.Equal(t, extrahop.ResolutionActionTaken, d.ResolutionValue(), "detection %d", id)
	}
	third, _ := srv.Detection(ids[2])
	assert.Nil(t, third.Status, "a detection of another ticket was changed")

	// Clearing: "" sends null.
	_, err = c.Detections.Update(ctx, ids[0], &extrahop.DetectionUpdate{TicketID: tracker.Ptr(""), Assignee: tracker.Ptr(""), Status: tracker.Ptr(""), Resolution: tracker.Ptr("")})
	require.NoError(t, err)
	got, _ = srv.Detection(ids[0])
	assert.Nil(t, got.TicketID)
	assert.Nil(t, got.Assignee)
	assert.Nil(t, got.Status)
	assert.Nil(t, got.Resolution)

	// The document declares no 404 for PATCH; check it without the contract.
	_, err = newClient(t, srv).Detections.Update(ctx, 7, &extrahop.DetectionUpdate{TicketID: tracker.Ptr("X-1")})
	assert.ErrorIs(t, err, tracker.ErrNotFound)
}

func TestContractNotesAndFormats(t *testing.T) {
	t.Parallel()
	srv := extrahoptest.NewServer(t)
	id := srv.Seed(1)[0]
	c := newContractClient(t, srv)
	ctx := context.Background()

	_, err := c.Detections.PutNote(ctx, id, "Tracked in SEC-12.")
	require.NoError(t, err)
	n, _, err := c.Detections.GetNote(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "Tracked in SEC-12.", n.Note)
	assert.Equal(t, extrahoptest.Me, n.Author)
	_, err = c.Detections.DeleteNote(ctx, id)
	require.NoError(t, err)
	_, ok := srv.Note(id)
	assert.False(t, ok)

	formats, _, err := c.Detections.Formats(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, formats)
	assert.Equal(t, "rdp_brute_force", formats[0].Type)
	assert.Equal(t, []string{"T1110"}, formats[0].MitreCategories)
}

// TestFormatByType runs outside the contract: the community document has no
// GET /detections/formats/{id}.
func TestFormatByType(t *testing.T) {
	t.Parallel()
	srv := extrahoptest.NewServer(t)
	c, err := extrahop.New(srv.URL(), extrahop.WithAPIKey(extrahoptest.DefaultAPIKey))
	require.NoError(t, err)
	f, _, err := c.Detections.Format(context.Background(), "dns_tunnel")
	require.NoError(t, err)
	assert.Equal(t, "DNS Tunnel", f.DisplayName)
	_, _, err = c.Detections.Format(context.Background(), "nope")
	assert.ErrorIs(t, err, tracker.ErrNotFound)
	assert.Equal(t, 2, srv.RequestCount("GET /api/v1/detections/formats/{type}"), "format reads are counted apart from note reads")
	assert.Zero(t, srv.RequestCount("GET /api/v1/detections/{id}/notes"))
}

// TestModTimeSearchPages is a done-when: 2,500 detections at limit 1000 take
// three requests and come in ascending mod_time.
func TestModTimeSearchPages(t *testing.T) {
	t.Parallel()
	srv := extrahoptest.NewServer(t)
	srv.Seed(2500)
	c := newClient(t, srv) // the contract tests cover the same calls on fewer detections
	srv.ResetRequests()

	var got []*extrahop.Detection
	for d, err := range c.Detections.SearchAll(context.Background(), extrahop.ModifiedSince(time.Unix(0, 0), 1000)) {
		require.NoError(t, err)
		got = append(got, d)
	}
	require.Len(t, got, 2500)
	assert.Equal(t, 3, srv.RequestCount("POST /api/v1/detections/search"))
	assert.Equal(t, 3, srv.Requests())
	seen := map[int64]bool{}
	for i, d := range got {
		assert.False(t, seen[d.ID], "detection %d returned twice", d.ID)
		seen[d.ID] = true
		if i > 0 {
			require.True(t, d.ModTime.After(got[i-1].ModTime.Time), "result %d is not after result %d by mod_time", i, i-1)
		}
	}
}

// TestOAuth2TokenReuseAndRenewal is a done-when: one token serves many
// calls, and a new one is fetched once it expires, by an injected clock.
func TestOAuth2TokenReuseAndRenewal(t *testing.T) {
	t.Parallel()
	clock := extrahoptest.NewClock(time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC))
	srv := extrahoptest.NewServer(t, extrahoptest.WithClock(clock.Now), extrahoptest.WithTokenTTL(time.Minute), extrahoptest.WithLowercaseTokenType())
	id := srv.Seed(1)[0]
	c := newContractClient(t, srv,
		extrahop.WithClientCredentials(extrahoptest.DefaultClientID, extrahoptest.DefaultClientSecret),
		extrahop.WithClock(clock.Now))
	ctx := context.Background()

	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			_, _, err := c.Detections.Get(ctx, id, nil)
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	assert.Equal(t, 1, srv.TokensIssued(), "one token must serve many calls")
	assert.Equal(t, 1, srv.RequestCount("POST /oauth2/token"))

	// Shortly before expiry the client renews ahead of time.
	clock.Advance(55 * time.Second)
	_, _, err := c.Detections.Get(ctx, id, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, srv.TokensIssued(), "the token was not renewed before it expired")

	// Long after expiry too, and the new token is accepted.
	clock.Advance(10 * time.Minute)
	for range 5 {
		_, _, err = c.Detections.Get(ctx, id, nil)
		require.NoError(t, err)
	}
	assert.Equal(t, 3, srv.TokensIssued())
}

func TestOAuth2BadClient(t *testing.T) {
	t.Parallel()
	srv := extrahoptest.NewServer(t)
	const secret = "wrong-secret-value"
	c := newContractClient(t, srv, extrahop.WithClientCredentials(extrahoptest.DefaultClientID, secret))
	_, _, err := c.Detections.Get(context.Background(), 1, nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, tracker.ErrUnauthorized)
	assert.Contains(t, err.Error(), "invalid_client")
	assert.NotContains(t, err.Error(), secret)
	assert.Zero(t, srv.RequestCount("GET /api/v1/detections/{id}"), "no API call without a token")
}

func TestBadAPIKeyAndExpiredToken(t *testing.T) {
	t.Parallel()
	clock := extrahoptest.NewClock(time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC))
	srv := extrahoptest.NewServer(t, extrahoptest.WithClock(clock.Now))
	c := newClient(t, srv, extrahop.WithAPIKey("not-the-key"))
	_, _, err := c.Detections.Get(context.Background(), 1, nil)
	assert.ErrorIs(t, err, tracker.ErrUnauthorized)
	assert.Contains(t, err.Error(), "Invalid API key")
	assert.NotContains(t, err.Error(), "not-the-key")

	// A token the server revoked before its expiry is dropped, and the
	// call is sent again with a new one.
	id := srv.Seed(1)[0]
	oc := newClient(t, srv, extrahop.WithClientCredentials(extrahoptest.DefaultClientID, extrahoptest.DefaultClientSecret), extrahop.WithClock(clock.Now))
	_, _, err = oc.Detections.Get(context.Background(), id, nil)
	require.NoError(t, err)
	srv.RevokeTokens()
	srv.ResetRequests()
	_, _, err = oc.Detections.Get(context.Background(), id, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, srv.TokensIssued())
	assert.Equal(t, map[string]int{"GET /api/v1/detections/{id}": 2, "POST /oauth2/token": 1}, srv.RequestCounts())
}

func TestRateLimitRetried(t *testing.T) {
	t.Parallel()
	srv := extrahoptest.NewServer(t)
	id := srv.Seed(1)[0]
	c := newClient(t, srv, extrahop.WithAPIKey(extrahoptest.DefaultAPIKey), extrahop.WithMaxRetryAfter(time.Second))
	srv.FailNext(2, http.StatusTooManyRequests, 0)
	_, _, err := c.Detections.Get(context.Background(), id, nil)
	require.NoError(t, err)
	assert.Equal(t, 3, srv.RequestCount("GET /api/v1/detections/{id}"))

	// A pause longer than the client accepts comes back at once.
	srv.FailNext(1, http.StatusTooManyRequests, time.Hour)
	_, _, err = c.Detections.Get(context.Background(), id, nil)
	assert.ErrorIs(t, err, tracker.ErrRateLimited)
	var rl *extrahop.RateLimitError
	require.True(t, errors.As(err, &rl))
	assert.Equal(t, time.Hour, rl.RetryAfter)
}

// TestSearchAllSurvivesWritesDuringIteration: the sync loop writes ticket
// fields back while it ranges, which moves each written detection to the
// end of a mod_time search. Paging by offset would then skip detections;
// paging by mod_time must not.
func TestSearchAllSurvivesWritesDuringIteration(t *testing.T) {
	t.Parallel()
	srv := extrahoptest.NewServer(t)
	ids := srv.Seed(35)
	c := newClient(t, srv)
	ctx := context.Background()

	seen := map[int64]int{}
	for d, err := range c.Detections.SearchAll(ctx, extrahop.ModifiedSince(time.Time{}, 10)) {
		require.NoError(t, err)
		seen[d.ID]++
		if seen[d.ID] == 1 {
			_, err := c.Detections.Update(ctx, d.ID, &extrahop.DetectionUpdate{TicketID: tracker.Ptr(fmt.Sprint("SEC-", d.ID))})
			require.NoError(t, err)
		}
	}
	for _, id := range ids {
		assert.Positive(t, seen[id], "detection %d was skipped", id)
	}
}
