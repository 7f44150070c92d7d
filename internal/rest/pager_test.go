package rest

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func pages(n, size int, calls *int) PageFunc[int, int] {
	return func(_ context.Context, start int) ([]int, int, bool, error) {
		*calls++
		var items []int
		for i := start; i < min(start+size, n); i++ {
			items = append(items, i)
		}
		return items, start + len(items), start+len(items) < n, nil
	}
}

func TestPaginate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		n, size   int
		stopAfter int // break after this many items; 0 never
		wantItems int
		wantCalls int
	}{
		{"all pages", 250, 100, 0, 250, 3},
		{"exact multiple", 200, 100, 0, 200, 2},
		{"empty", 0, 100, 0, 0, 1},
		{"early break", 250, 100, 101, 101, 2},
		{"break on first", 250, 100, 1, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			calls := 0
			got := 0
			for v, err := range Paginate(context.Background(), 0, pages(tt.n, tt.size, &calls)) {
				require.NoError(t, err)
				assert.Equal(t, got, v)
				got++
				if got == tt.stopAfter {
					break
				}
			}
			assert.Equal(t, tt.wantItems, got)
			assert.Equal(t, tt.wantCalls, calls)
		})
	}
}

func TestPaginateYieldsErrorOnce(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	calls := 0
	fetch := func(_ context.Context, c int) ([]string, int, bool, error) {
		calls++
		if c == 1 {
			return nil, 0, false, boom
		}
		return []string{"a"}, 1, true, nil
	}
	var errs []error
	var items []string
	for v, err := range Paginate(context.Background(), 0, fetch) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		items = append(items, v)
	}
	assert.Equal(t, []string{"a"}, items)
	assert.Equal(t, []error{boom}, errs)
	assert.Equal(t, 2, calls)
}

func TestPaginateChecksContextBetweenPages(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	var gotErr error
	for _, err := range Paginate(ctx, 0, pages(300, 100, &calls)) {
		if err != nil {
			gotErr = err
			break
		}
		cancel()
	}
	assert.ErrorIs(t, gotErr, context.Canceled)
	assert.Equal(t, 1, calls)
}

func TestPaginateRefusesARepeatedCursor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		pages map[string]string // cursor → next cursor
	}{
		{"a token that never advances", map[string]string{"": "t1", "t1": "t1"}},
		{"a token that goes back", map[string]string{"": "t1", "t1": "t2", "t2": "t1"}},
		{"back to the first page", map[string]string{"": "t1", "t1": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			calls := 0
			fetch := func(_ context.Context, c string) ([]string, string, bool, error) {
				calls++
				return []string{"item at " + c}, tt.pages[c], true, nil
			}
			var err error
			items := 0
			for _, e := range Paginate(context.Background(), "", fetch) {
				if e != nil {
					err = e
					continue
				}
				items++
			}
			require.ErrorIs(t, err, ErrPageLoop)
			assert.Equal(t, len(tt.pages), calls, "every page is fetched once")
			assert.Equal(t, len(tt.pages), items)
		})
	}
}
