package syncer

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/trackbridge/trackbridge/tracker"
)

func TestReportStaysBoundedAndCountsEverything(t *testing.T) {
	t.Parallel()
	// n items created and n unchanged, interleaved.
	part := func(n int) *Report {
		r := &Report{}
		for i := range 2 * n {
			kind := EventCreated
			if i%2 == 1 {
				kind = EventSkipped
			}
			r.add(Outcome{Source: tracker.Ref{Tracker: "x", ID: fmt.Sprint(i)}, Result: kind, Reason: ReasonUnchanged})
		}
		return r
	}
	a := part(MaxOutcomes + 10)
	assert.Len(t, a.Outcomes, MaxOutcomes, "unchanged items are counted, not listed")
	for _, o := range a.Outcomes {
		assert.Equal(t, EventCreated, o.Result)
	}
	assert.Equal(t, 10, a.OutcomesDropped)
	assert.Equal(t, MaxOutcomes+10, a.Created)
	assert.Equal(t, MaxOutcomes+10, a.Unchanged)

	total := &Report{}
	total.merge(a)
	total.merge(part(6))
	assert.Len(t, total.Outcomes, MaxOutcomes)
	assert.Equal(t, MaxOutcomes+16, total.Created, "merged counts cover every item")
	assert.Equal(t, MaxOutcomes+16, total.Unchanged)
	assert.Equal(t, 16, total.OutcomesDropped)
}
