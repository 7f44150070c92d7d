// Package sqlstore holds what the SQL stores share: reading their
// migration scripts and paging through links.
package sqlstore

import (
	"io/fs"
	"iter"
	"path"

	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/tracker"
)

// Migrations returns the scripts in dir of fsys in name order; script i
// brings the schema from version i to version i+1.
func Migrations(fsys fs.FS, dir string) ([]string, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(entries))
	for _, e := range entries {
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, string(b))
	}
	return out, nil
}

// Links iterates over the links that page returns, size at a time, in
// source order: page returns the first size links after the given source
// (the zero Ref for the first page). Each page is a query of its own, so
// the caller may write between iterations.
func Links(size int, page func(after tracker.Ref) ([]*store.Link, error)) iter.Seq2[*store.Link, error] {
	return func(yield func(*store.Link, error) bool) {
		var after tracker.Ref
		for {
			links, err := page(after)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, l := range links {
				if !yield(l, nil) {
					return
				}
			}
			if len(links) < size {
				return
			}
			after = links[len(links)-1].Source
		}
	}
}
