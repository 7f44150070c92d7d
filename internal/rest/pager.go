package rest

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"reflect"
)

// ErrPageLoop is yielded when a server answers a page with a cursor it has
// already given: following it would fetch the same pages forever.
var ErrPageLoop = errors.New("rest: the server repeated a page cursor")

// PageFunc fetches the page at cursor and returns its items, the cursor of
// the next page and whether there is one.
type PageFunc[T, C any] func(ctx context.Context, cursor C) (items []T, next C, more bool, err error)

// Paginate turns a page-fetch function into a sequence that fetches pages
// as the caller ranges over it. It stops fetching when the caller breaks,
// checks ctx before every page, and yields an error once, as (zero, err),
// then ends. Where cursors can be compared, a cursor the server already
// gave ends the sequence with ErrPageLoop instead of looping.
func Paginate[T, C any](ctx context.Context, first C, fetch PageFunc[T, C]) iter.Seq2[T, error] {
	checkLoops := reflect.TypeFor[C]().Comparable()
	return func(yield func(T, error) bool) {
		var zero T
		cursor := first
		var seen map[any]bool
		if checkLoops {
			seen = map[any]bool{any(first): true}
		}
		for {
			if err := ctx.Err(); err != nil {
				yield(zero, err)
				return
			}
			items, next, more, err := fetch(ctx, cursor)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if !more || len(items) == 0 {
				return
			}
			if checkLoops {
				if seen[any(next)] {
					yield(zero, fmt.Errorf("%w: %v", ErrPageLoop, next))
					return
				}
				seen[any(next)] = true
			}
			cursor = next
		}
	}
}
