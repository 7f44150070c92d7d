package trax

import (
	"os"
	"path/filepath"
	"testing"
)

// The success and read bodies come from a server the client does not
// control: decoding them must never panic, and whatever it yields must be
// sane.
func FuzzDecodeBodies(f *testing.F) {
	for _, name := range []string{"create_201.json", "create_200_single.json", "create_200_batch.json", "create_202.txt", "read_200.json", "error_422.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`[{"id":1e400},{"id":""},{"id":null}]`))
	f.Add([]byte(`{"data":[{"id":"r","attributes":null,"meta":[]}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, id := range returnedIDs(body) {
			if id == "" {
				t.Fatalf("returnedIDs yielded an empty id from %q", body)
			}
		}
		rec, err := decodeStored(body, "r")
		if err == nil && rec == nil {
			t.Fatal("decodeStored returned neither a record nor an error")
		}
		if err == nil && rec.ID == "" {
			t.Fatalf("decodeStored returned a record without id from %q", body)
		}
	})
}
