package jiratest

import (
	"net/http"
	"slices"
	"strings"
)

// SecOpsAccountID is the opaque Cloud accountId of the [SecOps] user.
const SecOpsAccountID = "712020:3f1c2a9e-7b4d-4e0a-9c55-1d2e3f405162"

// SecOpsEmail is the address the built-in ExtraHop → Jira mapping assigns
// tickets to.
const SecOpsEmail = "secops@example.com"

// SecOps returns the team account the built-in ExtraHop → Jira mapping
// names by email. Every fake has it; its Cloud accountId is opaque, as real
// ones are, so a mapping works only if people are resolved by email.
func SecOps() *User {
	return &User{AccountID: SecOpsAccountID, AccountType: "atlassian", Name: "secops", Key: "JIRAUSER10200",
		DisplayName: "SecOps Team", Email: SecOpsEmail, Active: true, TimeZone: "UTC",
		Groups: []string{"jira-software-users", "secops"}, ApplicationRoles: []string{"jira-software"}}
}

// getUser answers GET /user?accountId= (Cloud) or ?username= or ?key=
// (Data Center), with groups and application roles when expanded.
func (s *Server) getUser(w http.ResponseWriter, r *http.Request, _ []byte) {
	q := r.URL.Query()
	id := q.Get("accountId")
	if s.dc {
		id = q.Get("username")
		if id == "" {
			id = q.Get("key")
		}
	}
	if id == "" {
		writeErrors(w, http.StatusBadRequest, []string{"Either the 'accountId' or the 'username' query parameter must be given."}, nil)
		return
	}
	u := s.user(id)
	if u == nil {
		notFound(w, "Specified user does not exist or you do not have required permissions")
		return
	}
	m := s.renderUser(u).(map[string]any)
	expand := strings.Split(q.Get("expand"), ",")
	if slices.Contains(expand, "groups") {
		items := make([]map[string]any, 0, len(u.Groups))
		for _, g := range u.Groups {
			items = append(items, map[string]any{"name": g, "self": s.self("/group?groupname=%s", g)})
		}
		m["groups"] = map[string]any{"size": len(items), "items": items}
	}
	if slices.Contains(expand, "applicationRoles") {
		items := make([]map[string]any, 0, len(u.ApplicationRoles))
		for _, k := range u.ApplicationRoles {
			items = append(items, map[string]any{"key": k, "name": roleName(k)})
		}
		m["applicationRoles"] = map[string]any{"size": len(items), "items": items}
	}
	writeJSON(w, http.StatusOK, m)
}

// roleName is the display name of an application role.
func roleName(key string) string {
	switch key {
	case "jira-software":
		return "Jira Software"
	case "jira-servicedesk":
		return "Jira Service Management"
	case "jira-core":
		return "Jira Work Management"
	}
	return key
}
