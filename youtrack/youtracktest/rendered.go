package youtracktest

import "html"

// preview renders text as YouTrack's read-only HTML previews
// (wikifiedDescription, textPreview) look: escaped, in a wiki div. The
// fake does not render Markdown.
func preview(text string) string {
	if text == "" {
		return ""
	}
	return `<div class="wiki text prewrapped">` + html.EscapeString(text) + `</div>`
}

// updaterOf returns the login of the issue's last updater: the reporter
// until the issue is changed, then the token's user, who makes every
// change through the fake's API.
func (s *Server) updaterOf(is *issue) string {
	if is.updated == is.created {
		return is.reporter
	}
	return s.me
}
