package mapping

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

// builtinSpecs holds the ready-made specs; read-only.
//
//go:embed specs/*.yaml
var builtinSpecs embed.FS

// Builtin loads a ready-made spec by name:
//
//   - "youtrack-to-trax" (S1): YouTrack issues of Severity High without a
//     Reported date are posted to TTS trax; Reported is set afterwards.
//   - "findings-to-jira" (S2): AppSec findings of severity High or Critical
//     become Jira bugs, routed by application, priority and status mapped.
//   - "extrahop-to-jira" (S3): ExtraHop detections become Jira tasks and
//     follow the tickets back (key → ticket_id, Done → closed).
//
// Each call returns a fresh spec that the caller may change and validate
// again.
func Builtin(name string) (*Spec, error) {
	data, err := builtinSpecs.ReadFile("specs/" + name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("mapping: no built-in spec %q (have %s)", name, strings.Join(BuiltinNames(), ", "))
	}
	s, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("built-in spec %q: %w", name, err)
	}
	return s, nil
}

// BuiltinNames lists the ready-made specs.
func BuiltinNames() []string {
	entries, _ := fs.ReadDir(builtinSpecs, "specs")
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	slices.Sort(names)
	return names
}
