package rest

import (
	"context"
	"iter"
)

// PageFunc fetches the page at cursor and returns its items, the cursor of
// the next page and whether there is one.
type PageFunc[T, C any] func(ctx context.Context, cursor C) (items []T, next C, more bool, err error)

// Paginate turns a page-fetch function into a sequence that fetches pages
// as the caller ranges over it. It stops fetching when the caller breaks,
// checks ctx before every page, and yields an error once, as (zero, err),
// then ends.
func Paginate[T, C any](ctx context.Context, first C, fetch PageFunc[T, C]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		cursor := first
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
			cursor = next
		}
	}
}
