package extrahop

import (
	"errors"
	"net/url"
	"strings"
)

// TicketIDPlaceholder is what ExtraHop's ticket-tracking URL template
// replaces with a detection's ticket id.
const TicketIDPlaceholder = "$ticket_id"

// TicketURL renders an ExtraHop ticket URL template
// ("https://jira.example.com/browse/$ticket_id") for ticketID, the way the
// ExtraHop console links a detection to its ticket. The id is escaped as
// one path segment (or, after a "?", as a query value), so it cannot add
// segments, query parameters or a fragment. It
// fails when the template has no placeholder, the id is empty, or the
// result is not an http(s) URL.
func TicketURL(template, ticketID string) (string, error) {
	if !strings.Contains(template, TicketIDPlaceholder) {
		return "", errors.New("extrahop: ticket URL template has no " + TicketIDPlaceholder)
	}
	if ticketID == "" {
		return "", errors.New("extrahop: ticket URL: empty ticket id")
	}
	path, query, hasQuery := strings.Cut(template, "?")
	out := strings.ReplaceAll(path, TicketIDPlaceholder, url.PathEscape(ticketID))
	if hasQuery {
		out += "?" + strings.ReplaceAll(query, TicketIDPlaceholder, url.QueryEscape(ticketID))
	}
	u, err := url.Parse(out)
	if err != nil {
		return "", errors.New("extrahop: ticket URL template does not give a URL: " + err.Error())
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", errors.New("extrahop: ticket URL template must give an http(s) URL with a host")
	}
	return out, nil
}
