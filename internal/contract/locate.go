package contract

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// EnvSpecsDir names the environment variable that overrides where the
// vendor OpenAPI documents are looked for.
const EnvSpecsDir = "TRACKBRIDGE_SPECS_DIR"

// ErrSpecsMissing reports that the directory holding the vendor OpenAPI
// documents does not exist.
var ErrSpecsMissing = errors.New("contract: vendor OpenAPI documents not found")

// Dir returns the directory holding the vendor OpenAPI documents: the value
// of TRACKBRIDGE_SPECS_DIR when set, otherwise shared/specs beside the
// module root (the nearest directory above the working directory that
// holds go.mod). The error wraps [ErrSpecsMissing] and names the place
// looked at when the directory does not exist.
func Dir() (string, error) {
	if dir := os.Getenv(EnvSpecsDir); dir != "" {
		return checkDir(dir, EnvSpecsDir+"="+dir)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("contract: locating vendor OpenAPI documents: %w", err)
	}
	root, err := moduleRoot(wd)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(filepath.Dir(root), "shared", "specs")
	return checkDir(dir, dir+" (beside the module root "+root+")")
}

func checkDir(dir, where string) (string, error) {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "", fmt.Errorf("%w: looked in %s; set %s to the directory holding them", ErrSpecsMissing, where, EnvSpecsDir)
	case err != nil:
		return "", fmt.Errorf("contract: locating vendor OpenAPI documents in %s: %w", where, err)
	case !info.IsDir():
		return "", fmt.Errorf("%w: %s is not a directory; set %s to the directory holding them", ErrSpecsMissing, where, EnvSpecsDir)
	}
	return dir, nil
}

// moduleRoot walks up from dir to the nearest directory holding go.mod.
func moduleRoot(dir string) (string, error) {
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("%w: no go.mod above %s, so no module root to look beside; set %s", ErrSpecsMissing, dir, EnvSpecsDir)
		}
		d = parent
	}
}
