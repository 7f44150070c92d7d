package jiratest

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Project is a project of the fake.
type Project struct {
	ID   string
	Key  string
	Name string
}

// IssueType is an issue type of the fake; every project has every type.
type IssueType struct {
	ID      string
	Name    string
	Subtask bool
}

// Priority is a priority of the fake.
type Priority struct {
	ID   string
	Name string
}

// Resolution is a resolution of the fake.
type Resolution struct {
	ID   string
	Name string
}

// Status is a workflow status with its category key ("new",
// "indeterminate", "done").
type Status struct {
	ID       string
	Name     string
	Category string
}

// Transition is a workflow transition. An empty From makes it global
// (available from every status but To). Screen lists the field ids its
// screen shows ("resolution").
type Transition struct {
	ID     string
	Name   string
	From   []string // status names
	To     string   // status name
	Screen []string
}

// Workflow is the one workflow all projects and issue types use. The
// first status is where new issues start.
type Workflow struct {
	Statuses    []Status
	Transitions []Transition
}

// DefaultWorkflow returns the fake's default workflow: To Do → In Progress
// → In Review → Done, with Stop Progress (In Progress or In Review → To
// Do) and Reopen (Done → To Do). Done is reached only through In Review,
// so reaching it from To Do takes a path of several transitions; Approve,
// the transition into Done, shows the resolution field (Done, Won't Do or
// Duplicate).
func DefaultWorkflow() Workflow {
	return Workflow{
		Statuses: []Status{
			{ID: "10000", Name: "To Do", Category: "new"},
			{ID: "3", Name: "In Progress", Category: "indeterminate"},
			{ID: "10001", Name: "In Review", Category: "indeterminate"},
			{ID: "10002", Name: "Done", Category: "done"},
		},
		Transitions: []Transition{
			{ID: "11", Name: "Start Progress", From: []string{"To Do"}, To: "In Progress"},
			{ID: "21", Name: "Request Review", From: []string{"In Progress"}, To: "In Review"},
			{ID: "31", Name: "Approve", From: []string{"In Review"}, To: "Done", Screen: []string{"resolution"}},
			{ID: "41", Name: "Stop Progress", From: []string{"In Progress", "In Review"}, To: "To Do"},
			{ID: "51", Name: "Reopen", From: []string{"Done"}, To: "To Do"},
		},
	}
}

// Field is a system or custom field. Schema types: string, number, date,
// datetime, option, user, array (Items option, string or user), and for
// custom fields Custom names the type
// ("com.atlassian.jira.plugin.system.customfieldtypes:textarea").
type Field struct {
	ID      string
	Name    string
	Custom  bool
	Type    string
	Items   string
	System  string
	CustomT string
	// Options are the allowed values of option fields.
	Options []string
}

// Custom field ids of the default data.
const (
	FieldSeverity        = "customfield_10042"
	FieldStoryPoints     = "customfield_10016"
	FieldReported        = "customfield_10050"
	FieldReviewDate      = "customfield_10051"
	FieldNotes           = "customfield_10060"
	FieldAffectedSystems = "customfield_10070"
	FieldOwner           = "customfield_10080"
	FieldExternalID      = "customfield_10090"
)

const cft = "com.atlassian.jira.plugin.system.customfieldtypes:"

func defaultFields() []*Field {
	return []*Field{
		{ID: "summary", Name: "Summary", Type: "string", System: "summary"},
		{ID: "description", Name: "Description", Type: "string", System: "description"},
		{ID: "environment", Name: "Environment", Type: "string", System: "environment"},
		{ID: "project", Name: "Project", Type: "project", System: "project"},
		{ID: "issuetype", Name: "Issue Type", Type: "issuetype", System: "issuetype"},
		{ID: "status", Name: "Status", Type: "status", System: "status"},
		{ID: "priority", Name: "Priority", Type: "priority", System: "priority"},
		{ID: "resolution", Name: "Resolution", Type: "resolution", System: "resolution"},
		{ID: "assignee", Name: "Assignee", Type: "user", System: "assignee"},
		{ID: "reporter", Name: "Reporter", Type: "user", System: "reporter"},
		{ID: "labels", Name: "Labels", Type: "array", Items: "string", System: "labels"},
		{ID: "created", Name: "Created", Type: "datetime", System: "created"},
		{ID: "updated", Name: "Updated", Type: "datetime", System: "updated"},
		{ID: "duedate", Name: "Due date", Type: "date", System: "duedate"},
		{ID: "parent", Name: "Parent", Type: "issuelink", System: "parent"},
		{ID: FieldSeverity, Name: "Severity", Custom: true, Type: "option", CustomT: cft + "select", Options: []string{"Critical", "High", "Medium", "Low"}},
		{ID: FieldStoryPoints, Name: "Story Points", Custom: true, Type: "number", CustomT: cft + "float"},
		{ID: FieldReported, Name: "Reported", Custom: true, Type: "datetime", CustomT: cft + "datetime"},
		{ID: FieldReviewDate, Name: "Review Date", Custom: true, Type: "date", CustomT: cft + "datepicker"},
		{ID: FieldNotes, Name: "Notes", Custom: true, Type: "string", CustomT: cft + "textarea"},
		{ID: FieldAffectedSystems, Name: "Affected Systems", Custom: true, Type: "array", Items: "option", CustomT: cft + "multiselect", Options: []string{"Web", "API", "Database", "Network"}},
		{ID: FieldOwner, Name: "Owner", Custom: true, Type: "user", CustomT: cft + "userpicker"},
		{ID: FieldExternalID, Name: "External ID", Custom: true, Type: "string", CustomT: cft + "textfield"},
	}
}

// User is an account of the fake. On Cloud AccountID identifies it; on
// Data Center Name and Key.
type User struct {
	AccountID   string
	AccountType string // atlassian, app, customer
	Name        string
	Key         string
	DisplayName string
	Email       string
	Active      bool
	TimeZone    string
	// Groups and ApplicationRoles (jira-software, ...) are returned by
	// GET /user?expand=groups,applicationRoles.
	Groups           []string
	ApplicationRoles []string
}

func defaultUsers() []*User {
	return []*User{
		{AccountID: "5b10a2844c20165700ede21g", AccountType: "atlassian", Name: "admin", Key: "JIRAUSER10000", DisplayName: "Ada Admin", Email: Email, Active: true, TimeZone: "UTC",
			Groups: []string{"jira-administrators", "jira-software-users"}, ApplicationRoles: []string{"jira-software"}},
		{AccountID: "5b10ac8d82e05b22cc7d4ef5", AccountType: "atlassian", Name: "alice", Key: "JIRAUSER10100", DisplayName: "Alice Analyst", Email: "alice@example.com", Active: true, TimeZone: "Europe/Berlin",
			Groups: []string{"jira-software-users"}, ApplicationRoles: []string{"jira-software"}},
		{AccountID: "5d53f3cbc6b9320d9ea5bdc2", AccountType: "atlassian", Name: "bob", Key: "JIRAUSER10101", DisplayName: "Bob Former", Email: "bob@example.com", Active: false, TimeZone: "UTC",
			Groups: []string{"jira-software-users"}, ApplicationRoles: []string{"jira-software"}},
		{AccountID: "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077", AccountType: "app", Name: "automation", Key: "JIRAUSER10102", DisplayName: "Automation for Jira", Active: true, TimeZone: "UTC",
			Groups: []string{"atlassian-addons-admin"}},
		SecOps(),
	}
}

// seedDefaults fills the default metadata: projects SEC and OPS, issue
// types Task, Bug, Story and Epic, five priorities, resolutions, the
// default workflow, system and custom fields, and users.
func (s *Server) seedDefaults() {
	s.projects = []*Project{{ID: "10000", Key: "SEC", Name: "Security"}, {ID: "10001", Key: "OPS", Name: "Operations"}}
	s.issueTypes = []*IssueType{{ID: "10001", Name: "Task"}, {ID: "10002", Name: "Bug"}, {ID: "10003", Name: "Story"}, {ID: "10004", Name: "Epic"}, {ID: "10005", Name: "Sub-task", Subtask: true}}
	s.priorities = []*Priority{{ID: "1", Name: "Highest"}, {ID: "2", Name: "High"}, {ID: "3", Name: "Medium"}, {ID: "4", Name: "Low"}, {ID: "5", Name: "Lowest"}}
	s.resolutions = []*Resolution{{ID: "10000", Name: "Done"}, {ID: "10001", Name: "Won't Do"}, {ID: "10002", Name: "Duplicate"}}
	s.setWorkflow(DefaultWorkflow())
	s.fields = defaultFields()
	s.users = defaultUsers()
	s.nextIssue, s.nextComment, s.nextLink = 10000, 10000, 10000
}

func (s *Server) setWorkflow(w Workflow) {
	s.statuses = nil
	for i := range w.Statuses {
		st := w.Statuses[i]
		s.statuses = append(s.statuses, &st)
	}
	s.transitions = nil
	for i := range w.Transitions {
		t := w.Transitions[i]
		s.transitions = append(s.transitions, &t)
	}
}

// AddCustomField adds a field; its id should be customfield_NNNNN.
func (s *Server) AddCustomField(f Field) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f.Custom = true
	s.fields = append(s.fields, &f)
}

// AddUser adds an account.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users = append(s.users, &u)
}

// AddProject adds a project.
func (s *Server) AddProject(key, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := strconv.Itoa(10000 + len(s.projects))
	s.projects = append(s.projects, &Project{ID: id, Key: key, Name: name})
}

func (s *Server) project(idOrKey string) *Project {
	for _, p := range s.projects {
		if p.ID == idOrKey || strings.EqualFold(p.Key, idOrKey) {
			return p
		}
	}
	return nil
}

func (s *Server) issueType(idOrName string) *IssueType {
	for _, t := range s.issueTypes {
		if t.ID == idOrName || strings.EqualFold(t.Name, idOrName) {
			return t
		}
	}
	return nil
}

func (s *Server) priority(idOrName string) *Priority {
	for _, p := range s.priorities {
		if p.ID == idOrName || strings.EqualFold(p.Name, idOrName) {
			return p
		}
	}
	return nil
}

func (s *Server) resolution(idOrName string) *Resolution {
	for _, r := range s.resolutions {
		if r.ID == idOrName || strings.EqualFold(r.Name, idOrName) {
			return r
		}
	}
	return nil
}

func (s *Server) status(idOrName string) *Status {
	for _, st := range s.statuses {
		if st.ID == idOrName || strings.EqualFold(st.Name, idOrName) {
			return st
		}
	}
	return nil
}

func (s *Server) field(id string) *Field {
	for _, f := range s.fields {
		if f.ID == id {
			return f
		}
	}
	return nil
}

// user finds a user by accountId (Cloud) or name or key (Data Center).
func (s *Server) user(id string) *User {
	for _, u := range s.users {
		if s.dc && (u.Name == id || u.Key == id) || !s.dc && u.AccountID == id {
			return u
		}
	}
	return nil
}

func (s *Server) me() *User { return s.users[0] }

// issue is a stored issue.
type issue struct {
	id          int64
	key         string
	project     *Project
	typ         *IssueType
	status      *Status
	summary     string
	description json.RawMessage // ADF object on Cloud, string on DC; nil when empty
	environment json.RawMessage
	priority    *Priority
	resolution  *Resolution
	resolvedAt  time.Time
	assignee    *User
	reporter    *User
	labels      []string
	parent      string
	duedate     string
	created     time.Time
	updated     time.Time
	custom      map[string]json.RawMessage
	comments    []*comment
	properties  map[string]json.RawMessage
	links       []*remoteLink
}

type comment struct {
	id         int64
	author     *User
	body       json.RawMessage
	created    time.Time
	updated    time.Time
	visibility json.RawMessage
}

type remoteLink struct {
	id   int64
	body map[string]json.RawMessage
}

func (s *Server) findIssue(idOrKey string) *issue {
	for _, is := range s.issues {
		if strconv.FormatInt(is.id, 10) == idOrKey || strings.EqualFold(is.key, idOrKey) {
			return is
		}
	}
	return nil
}
