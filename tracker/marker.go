package tracker

import "fmt"

// MaxMarkerLen is the longest marker [CheckMarker] accepts. It keeps markers
// valid as Jira labels (255 characters) with room for a prefix.
const MaxMarkerLen = 200

// CheckMarker reports whether m can serve as a correlation marker in every
// tracker: 1 to MaxMarkerLen characters, each an ASCII letter, digit, '-',
// '_', '.' or ':'. Such a marker is a valid Jira label, YouTrack tag and trax
// record id, and needs no escaping in any query language.
func CheckMarker(m string) error {
	if m == "" {
		return fmt.Errorf("tracker: empty marker")
	}
	if len(m) > MaxMarkerLen {
		return fmt.Errorf("tracker: marker is %d characters long, more than %d", len(m), MaxMarkerLen)
	}
	for i := 0; i < len(m); i++ {
		c := m[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '-', c == '_', c == '.', c == ':':
		default:
			return fmt.Errorf("tracker: marker %q has character %q at %d (allowed: letters, digits, - _ . :)", m, c, i)
		}
	}
	return nil
}
