package contract

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stopper is a recorder whose Fatal and Skip end the calling goroutine, as
// the real ones do; run the code under test with runInGoroutine.
type stopper struct {
	recorder
	skipped string
}

func (s *stopper) Fatal(args ...any) { s.add(fmt.Sprint(args...)); runtime.Goexit() }

func (s *stopper) Fatalf(format string, args ...any) {
	s.add(fmt.Sprintf(format, args...))
	runtime.Goexit()
}

func (s *stopper) Skipf(format string, args ...any) {
	s.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func runInGoroutine(f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	<-done
}

func TestLoadWhenSpecsAreMissing(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nowhere")
	t.Setenv(EnvSpecsDir, missing)

	t.Run("skips outside CI", func(t *testing.T) {
		t.Setenv("CI", "")
		s := &stopper{recorder: recorder{TB: t}}
		var spec *Spec
		runInGoroutine(func() { spec = Load(s, Jira) })
		assert.Nil(t, spec)
		assert.Empty(t, s.failures())
		assert.Contains(t, s.skipped, missing)
		assert.Contains(t, s.skipped, EnvSpecsDir)
	})
	t.Run("fails in CI", func(t *testing.T) {
		t.Setenv("CI", "true")
		s := &stopper{recorder: recorder{TB: t}}
		runInGoroutine(func() { Load(s, Jira) })
		assert.Empty(t, s.skipped)
		got := s.failures()
		require.Len(t, got, 1)
		assert.Contains(t, got[0], missing)
		assert.Contains(t, got[0], "CI=true")
	})
}

func TestLoadUnknownSpecFails(t *testing.T) {
	t.Parallel()
	Load(t, Jira) // skips here when the documents are absent
	s := &stopper{recorder: recorder{TB: t}}
	runInGoroutine(func() { Load(s, "youtrack") })
	got := s.failures()
	require.Len(t, got, 1)
	assert.Contains(t, got[0], `unknown spec "youtrack" (known: jira, extrahop)`)
}

func TestLoadCachesPerBinary(t *testing.T) {
	t.Parallel()
	first := Load(t, ExtraHop)
	assert.Same(t, first, Load(t, ExtraHop))
	assert.Equal(t, ExtraHop, first.Name())
	assert.NotNil(t, first.Document().Paths.Value("/api/v1/detections/search"), "typo prefix must be corrected")
	assert.Nil(t, first.Document().Paths.Value("/ap1/v1/detections/search"))
}

func TestDir(t *testing.T) {
	t.Run("override that is a file", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "specs")
		require.NoError(t, os.WriteFile(file, nil, 0o600))
		t.Setenv(EnvSpecsDir, file)
		_, err := Dir()
		require.ErrorIs(t, err, ErrSpecsMissing)
		assert.Contains(t, err.Error(), "is not a directory")
	})
	t.Run("override that exists", func(t *testing.T) {
		dir := t.TempDir()
		t.Setenv(EnvSpecsDir, dir)
		got, err := Dir()
		require.NoError(t, err)
		assert.Equal(t, dir, got)
	})
}

func TestModuleRoot(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(root, "go.mod"), []byte("module x\n"), 0o600))
	deep := filepath.Join(root, "a", "b")
	require.NoError(t, os.MkdirAll(deep, 0o700))
	got, err := moduleRoot(deep)
	require.NoError(t, err)
	assert.Equal(t, root, got)

	_, err = checkDir(filepath.Join(filepath.Dir(root), "shared", "specs"), "beside "+root)
	require.ErrorIs(t, err, ErrSpecsMissing)
	assert.Contains(t, err.Error(), EnvSpecsDir)
}

// BenchmarkOpenJira measures parsing and routing the 2.4 MB Jira document,
// which Load does once per test binary.
func BenchmarkOpenJira(b *testing.B) {
	dir, err := Dir()
	if err != nil {
		b.Skip(err)
	}
	for b.Loop() {
		if _, err := Open(dir, Jira); err != nil {
			b.Fatal(err)
		}
	}
}
