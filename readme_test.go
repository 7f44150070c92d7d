package trackbridge_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readmePrelude is what every README snippet may use without declaring
// it: the SDK's packages and a few variables a snippet takes as given.
const readmePrelude = `package readme

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/extrahop"
	"github.com/trackbridge/trackbridge/jira"
	"github.com/trackbridge/trackbridge/jira/jiratest"
	"github.com/trackbridge/trackbridge/mapping"
	"github.com/trackbridge/trackbridge/syncer"
	"github.com/trackbridge/trackbridge/syncer/riversync"
	"github.com/trackbridge/trackbridge/syncer/store/sqlite"
	"github.com/trackbridge/trackbridge/tracker"
)

var (
	_ = context.Background
	_ = errors.Is
	_ = fmt.Sprint
	_ = slog.Default
	_ = os.Getenv
	_ = testing.Short
	_ = time.Now
	_ = assert.Equal
	_ = require.NoError
	_ = extrahop.New
	_ = jira.New
	_ = jiratest.New
	_ = mapping.Parse
	_ = syncer.New
	_ = riversync.NewEngine
	_ = pgxpool.New
	_ = river.NewWorkers
	_ = riverpgxv5.New
	_ = sqlite.Open
	_ = tracker.ErrNotFound
)

// What a snippet takes as given; its own declarations shadow these.
var (
	ctx    = context.Background()
	jc     *jira.Client
	target *jira.Adapter
	source *extrahop.Adapter
	items  []*tracker.Issue
	flow   *syncer.Flow
	secret []byte
	pool   *pgxpool.Pool
)
`

var goBlock = regexp.MustCompile("(?s)```go\n(.*?)```")

// TestREADMECompiles type-checks every Go snippet of the README: each
// becomes the body of a function returning error (or stays a top-level
// declaration when it is one), in a package that imports the SDK, and
// the package is built with the module's dependencies, offline.
func TestREADMECompiles(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	blocks := goBlock.FindAllStringSubmatch(string(readme), -1)
	require.GreaterOrEqual(t, len(blocks), 5, "the README's Go snippets")

	var src strings.Builder
	src.WriteString(readmePrelude)
	for i, b := range blocks {
		code := b[1]
		if strings.HasPrefix(code, "func ") {
			fmt.Fprintf(&src, "\n// snippet %d\n%s", i+1, code)
			continue
		}
		fmt.Fprintf(&src, "\n// snippet %d\nfunc snippet%d() error {\n%s\treturn nil\n}\n", i+1, i+1, code)
	}

	// The package lives inside the module, so the SDK's imports resolve
	// without a network; "_" keeps it out of ./... patterns.
	dir, err := os.MkdirTemp(".", "_readme")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.WriteFile(filepath.Join(dir, "readme.go"), []byte(src.String()), 0o600))

	goTool, err := exec.LookPath("go")
	require.NoError(t, err, "the go command builds the snippets")
	cmd := exec.Command(goTool, "build", "-o", os.DevNull, "./"+filepath.Base(dir))
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=readonly")
	out, err := cmd.CombinedOutput()
	assert.NoError(t, err, "README snippets do not compile:\n%s\n\nas built:\n%s", out, numbered(src.String()))
}

func numbered(s string) string {
	lines := strings.Split(s, "\n")
	for i := range lines {
		lines[i] = fmt.Sprintf("%4d  %s", i+1, lines[i])
	}
	return strings.Join(lines, "\n")
}
