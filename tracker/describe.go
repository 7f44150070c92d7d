package tracker

import "context"

// Describer reports a tracker's metadata, so that a mapping can be checked
// against the live tracker before any sync runs (the "test connection").
type Describer interface {
	// DescribeFields returns the fields an issue of this project and type
	// can carry when created: which are required and, where the set is
	// closed, which values are allowed. The priority field is named
	// "priority".
	DescribeFields(ctx context.Context, project, issueType string) ([]FieldInfo, error)
	// DescribeStatuses returns the statuses issues of the project can be in.
	DescribeStatuses(ctx context.Context, project string) ([]StatusInfo, error)
}

// FieldInfo describes one field of a project and issue type.
type FieldInfo struct {
	// ID is the tracker's field id (customfield_10042); Name its display
	// name (Severity). For system fields both are the lower-case name.
	ID       string
	Name     string
	Type     string
	Required bool
	// Allowed lists the values a closed field accepts; empty means any.
	Allowed []string
}

// StatusInfo describes one status of a workflow.
type StatusInfo struct {
	Name     string
	Category StatusCategory
}
