package trax_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/tracker"
	"github.com/trackbridge/trackbridge/tracker/trackertest"
	"github.com/trackbridge/trackbridge/trax"
	"github.com/trackbridge/trackbridge/trax/traxtest"
)

// fakeClient returns a client of srv with quick retries.
func fakeClient(t *testing.T, srv *traxtest.Server, opts ...trax.Option) *trax.Client {
	t.Helper()
	base := []trax.Option{
		trax.WithToken(srv.Token()),
		trax.WithERD(trax.DefaultERD()),
		trax.WithRecordURL("https://trax.example.com/cip/records/{id}"),
		trax.WithRetryWait(time.Millisecond, 5*time.Millisecond),
	}
	c, err := trax.New(srv.URL(), append(base, opts...)...)
	require.NoError(t, err)
	return c
}

func adapterOf(t *testing.T, c *trax.Client) trax.PostboxTracker {
	t.Helper()
	a, err := trax.NewAdapter(c, trax.AdapterConfig{})
	require.NoError(t, err)
	return a
}

// conformanceFields are attributes every conformance issue carries.
var conformanceFields = map[string]any{
	"source":         "trackbridge conformance",
	"classification": "High",
	"issue_url":      "https://youtrack.example.com/issue/HD-1",
}

func TestConformanceCreateOnly(t *testing.T) {
	trackertest.Run(t, func(t *testing.T) *trackertest.Harness {
		srv := traxtest.NewServer(t)
		return &trackertest.Harness{Tracker: adapterOf(t, fakeClient(t, srv)), NoLabels: true, Fields: conformanceFields}
	})
}

func TestConformanceWithReadEndpoint(t *testing.T) {
	trackertest.Run(t, func(t *testing.T) *trackertest.Harness {
		srv := traxtest.NewServer(t)
		a := adapterOf(t, fakeClient(t, srv, trax.WithReadEndpoint(srv.ReadURL())))
		return &trackertest.Harness{Tracker: a, NoLabels: true, Fields: conformanceFields}
	})
}

func TestAdapterCapabilities(t *testing.T) {
	t.Parallel()
	srv := traxtest.NewServer(t)
	plain := adapterOf(t, fakeClient(t, srv))
	assert.IsType(t, &trax.Adapter{}, plain)
	assert.Equal(t, "trax", plain.Kind())
	assert.True(t, tracker.Has(plain, tracker.CanCreate))
	assert.True(t, tracker.Has(plain, tracker.CanBulkCreate))
	assert.False(t, tracker.Has(plain, tracker.CanFindMarkers), "no read endpoint, no marker lookup")
	for _, c := range []tracker.Capability{tracker.CanUpdate, tracker.CanSearch, tracker.CanTransition, tracker.CanComment} {
		assert.False(t, tracker.Has(plain, c), c)
	}
	_, err := plain.GetIssue(t.Context(), "HD-1")
	assert.ErrorIs(t, err, tracker.ErrUnsupported)

	readable := adapterOf(t, fakeClient(t, srv, trax.WithReadEndpoint(srv.ReadURL())))
	assert.IsType(t, &trax.ReadAdapter{}, readable)
	assert.True(t, tracker.Has(readable, tracker.CanFindMarkers))

	_, err = trax.NewAdapter(nil, trax.AdapterConfig{})
	assert.Error(t, err)
	_, err = trax.NewAdapter(fakeClient(t, srv), trax.AdapterConfig{SummaryAttribute: "x", DescriptionAttribute: "x"})
	assert.Error(t, err)
}

func TestCreateIssueMapsOntoARecord(t *testing.T) {
	t.Parallel()
	srv := traxtest.NewServer(t)
	a := adapterOf(t, fakeClient(t, srv))
	in := &tracker.NewIssue{
		Project: "HD", Priority: "Critical", Labels: []string{"ignored"},
		Summary:     "Ransomware note found on file server FS-02",
		Description: "Seen at 09:14.",
		Fields:      map[string]any{"source": "YouTrack", "contact": "soc@example.com", "classification": nil},
		Marker:      "youtrack:2-17",
	}
	is, err := a.CreateIssue(t.Context(), in)
	require.NoError(t, err)
	assert.Equal(t, "youtrack:2-17", is.ID)
	assert.Equal(t, is.ID, is.Key)
	assert.Equal(t, "https://trax.example.com/cip/records/youtrack:2-17", is.URL)
	assert.Equal(t, in.Summary, is.Summary)
	assert.Equal(t, in.Description, is.Description)

	got, ok := srv.Record("youtrack:2-17")
	require.True(t, ok)
	assert.Equal(t, map[string]any{
		"name": in.Summary, "description": in.Description, "source": "YouTrack", "contact": "soc@example.com",
	}, got.Attributes, "Fields, plus name and description from Summary and Description; nil dropped")

	// Fields win over Summary and Description.
	in2 := &tracker.NewIssue{Summary: "summary", Fields: map[string]any{"name": "explicit name"}, Marker: "m2"}
	_, err = a.CreateIssue(t.Context(), in2)
	require.NoError(t, err)
	got, _ = srv.Record("m2")
	assert.Equal(t, map[string]any{"name": "explicit name"}, got.Attributes)
}

func TestCreateIssueWithoutMarkerUsesAContentHash(t *testing.T) {
	t.Parallel()
	srv := traxtest.NewServer(t)
	a := adapterOf(t, fakeClient(t, srv))
	in := &tracker.NewIssue{Summary: "Laptop reported stolen", Fields: map[string]any{"source": "YouTrack"}}
	first, err := a.CreateIssue(t.Context(), in)
	require.NoError(t, err)
	assert.Regexp(t, `^tb-[0-9a-f]{32}$`, first.ID)
	again, err := a.CreateIssue(t.Context(), in)
	require.NoError(t, err)
	assert.Equal(t, first.ID, again.ID, "the same content is the same record")
	assert.Equal(t, 1, srv.Len(), "posted twice, stored once")
	assert.Equal(t, 2, srv.Deliveries(first.ID))

	other, err := a.CreateIssue(t.Context(), &tracker.NewIssue{Summary: "Laptop reported stolen", Fields: map[string]any{"source": "Jira"}})
	require.NoError(t, err)
	assert.NotEqual(t, first.ID, other.ID)

	// A prefix of one's own, and no URL without a record URL template.
	c, err := trax.New(srv.URL(), trax.WithToken(srv.Token()))
	require.NoError(t, err)
	custom, err := trax.NewAdapter(c, trax.AdapterConfig{IDPrefix: "yt-"})
	require.NoError(t, err)
	is, err := custom.CreateIssue(t.Context(), in)
	require.NoError(t, err)
	assert.Equal(t, "yt-"+first.ID[len("tb-"):], is.ID, "the hash depends on the content only")
	assert.Empty(t, is.URL)
}

func TestCreateIssueRefusesInvalidRecordWithoutRequest(t *testing.T) {
	t.Parallel()
	srv := traxtest.NewServer(t)
	a := adapterOf(t, fakeClient(t, srv))
	tests := []struct {
		name string
		in   *tracker.NewIssue
		want string
	}{
		{"no name", &tracker.NewIssue{Description: "no summary", Marker: "m1"}, `record "m1": attribute "name": required attribute missing`},
		{"bad url", &tracker.NewIssue{Summary: "s", Fields: map[string]any{"issue_url": "not a url"}, Marker: "m2"}, `record "m2": attribute "issue_url"`},
		{"unknown attribute", &tracker.NewIssue{Summary: "s", Fields: map[string]any{"Severity": "High"}, Marker: "m3"}, `record "m3": attribute "Severity": unknown attribute`},
		{"bad marker", &tracker.NewIssue{Summary: "s", Marker: "has space"}, `marker "has space"`},
		{"nil issue", nil, "nil issue"},
	}
	for _, tt := range tests {
		_, err := a.CreateIssue(t.Context(), tt.in)
		require.Error(t, err, tt.name)
		assert.ErrorIs(t, err, tracker.ErrInvalid, tt.name)
		assert.Contains(t, err.Error(), tt.want, tt.name)
	}
	assert.Zero(t, srv.Requests(), "an invalid record never reaches the postbox")
}

func TestCreateIssueErrorsMatchSentinels(t *testing.T) {
	t.Parallel()
	srv := traxtest.NewServer(t)
	wrongToken, err := trax.New(srv.URL(), trax.WithToken("wrong-token"))
	require.NoError(t, err)
	_, err = adapterOf(t, wrongToken).CreateIssue(t.Context(), &tracker.NewIssue{Summary: "s"})
	assert.ErrorIs(t, err, tracker.ErrUnauthorized)
	assert.True(t, tracker.IsConfigError(err))
	assert.Contains(t, err.Error(), "missing or invalid API token")
	assert.NotContains(t, err.Error(), "wrong-token")

	a := adapterOf(t, fakeClient(t, srv, trax.WithMaxRetries(1)))
	srv.FailNext(2, 503, 0)
	_, err = a.CreateIssue(t.Context(), &tracker.NewIssue{Summary: "s"})
	assert.ErrorIs(t, err, tracker.ErrUnavailable)
	assert.True(t, tracker.IsTransient(err))
}

func TestRetriedPostCarriesTheSameID(t *testing.T) {
	t.Parallel()
	srv := traxtest.NewServer(t)
	c := fakeClient(t, srv)
	srv.FailNext(1, 503, 0)
	srv.FailNext(1, 429, 0)
	res, err := c.Create(t.Context(), traxtest.SampleRecords(1)...)
	require.NoError(t, err)
	assert.Equal(t, []string{"HD-1"}, res.Accepted)
	att := srv.Attempts()
	require.Len(t, att, 3)
	for i, want := range []int{503, 429, 201} {
		assert.Equal(t, []string{"HD-1"}, att[i].IDs, "attempt %d", i)
		assert.Equal(t, want, att[i].Status, "attempt %d", i)
	}
	assert.Equal(t, 1, srv.Len())
	assert.Equal(t, 1, srv.Deliveries("HD-1"))
}

func TestCreateIssuesInBatches(t *testing.T) {
	t.Parallel()
	srv := traxtest.NewServer(t)
	a := adapterOf(t, fakeClient(t, srv, trax.WithBatchSize(2)))
	srv.Reject("m3", "duplicate of an open incident")
	in := []*tracker.NewIssue{
		{Summary: "one", Marker: "m1"},
		{Summary: "two", Marker: "m2"},
		{Summary: "", Marker: "bad"}, // no name: refused alone, not sent
		{Summary: "three", Marker: "m3"},
		{Summary: "four", Marker: "m4"},
		{Summary: "five", Marker: "m5"},
		{Summary: "repeat", Marker: "m1"},
	}
	res, err := a.(tracker.BulkCreator).CreateIssues(t.Context(), in)
	require.NoError(t, err)
	require.Len(t, res, len(in))
	for i, wantID := range []string{"m1", "m2"} {
		require.NoError(t, res[i].Err)
		assert.Equal(t, wantID, res[i].Issue.ID)
	}
	assert.ErrorIs(t, res[2].Err, tracker.ErrInvalid)
	assert.Contains(t, res[2].Err.Error(), `attribute "name"`)
	for _, i := range []int{3, 4} { // the rejected batch
		assert.ErrorIs(t, res[i].Err, tracker.ErrInvalid, "input %d", i)
		assert.Contains(t, res[i].Err.Error(), "duplicate of an open incident")
	}
	assert.ErrorIs(t, res[5].Err, tracker.ErrInvalid, "a later batch wraps the failed batch's error")
	assert.Contains(t, res[5].Err.Error(), `"m5" not sent: an earlier batch failed`)
	assert.NotContains(t, res[5].Err.Error(), "records not accepted", "each record's error names its own fate, not the whole call's")
	assert.ErrorIs(t, res[6].Err, tracker.ErrInvalid)
	assert.Contains(t, res[6].Err.Error(), "repeats that of input 0")

	assert.Equal(t, 2, srv.RequestsTo("POST "+traxtest.CreatePath), "one accepted batch, one rejected, none after")
	var stored []string
	for _, r := range srv.Records() {
		stored = append(stored, r.ID)
	}
	assert.Equal(t, []string{"m1", "m2"}, stored)
}

func TestReadAdapter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 21, 22, 0, 0, 0, time.UTC)
	srv := traxtest.NewServer(t, traxtest.WithClock(func() time.Time { return now }))
	srv.Seed(traxtest.SampleRecords(2)...)
	a := adapterOf(t, fakeClient(t, srv, trax.WithReadEndpoint(srv.ReadURL())))

	is, err := a.GetIssue(t.Context(), "HD-2")
	require.NoError(t, err)
	assert.Equal(t, "HD-2", is.ID)
	assert.Equal(t, "HD-2", is.Key)
	assert.Equal(t, "https://trax.example.com/cip/records/HD-2", is.URL)
	assert.Equal(t, "Ransomware note found on file server FS-02", is.Summary)
	assert.Equal(t, "received", is.Status)
	assert.Equal(t, "YouTrack", is.Fields["source"])
	assert.True(t, now.Equal(is.Created))
	assert.True(t, now.Equal(is.Updated))

	_, err = a.GetIssue(t.Context(), "HD-404")
	assert.ErrorIs(t, err, tracker.ErrNotFound)

	mf := a.(tracker.MarkerFinder)
	found, err := mf.FindByMarker(t.Context(), "HD-1")
	require.NoError(t, err)
	require.Len(t, found, 1)
	assert.Equal(t, "HD-1", found[0].ID)
	none, err := mf.FindByMarker(t.Context(), "HD-9")
	require.NoError(t, err)
	assert.Empty(t, none)
	_, err = mf.FindByMarker(t.Context(), "bad marker")
	assert.ErrorIs(t, err, tracker.ErrInvalid)

	srv.FailNext(1, 500, 0)
	c := fakeClient(t, srv, trax.WithReadEndpoint(srv.ReadURL()), trax.WithMaxRetries(0))
	_, err = adapterOf(t, c).(tracker.MarkerFinder).FindByMarker(t.Context(), "HD-1")
	assert.ErrorIs(t, err, tracker.ErrUnavailable, "a failed lookup is an error, not 'no marker'")
	assert.False(t, errors.Is(err, tracker.ErrNotFound))
}
