package jira

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/trackbridge/trackbridge/internal/rest"
	"github.com/trackbridge/trackbridge/tracker"
)

// IssuesService reads and writes issues.
type IssuesService service

// GetOptions selects what Get returns.
type GetOptions struct {
	// Fields lists field ids to return ("summary", "customfield_10042",
	// "*all", "*navigable", "-comment"); empty means all.
	Fields []string `url:"fields,comma,omitempty"`
	// Expand lists expansions: names, schema, changelog, renderedFields,
	// transitions, editmeta.
	Expand []string `url:"expand,comma,omitempty"`
	// Properties lists entity property keys to return ("*all" for all).
	Properties []string `url:"properties,comma,omitempty"`
	// FieldsByKeys reads Fields as field keys rather than ids.
	FieldsByKeys bool `url:"fieldsByKeys,omitempty"`
}

// Get returns an issue by id or key. A missing or invisible issue is an
// error matching tracker.ErrNotFound.
func (s *IssuesService) Get(ctx context.Context, idOrKey string, opts *GetOptions) (*Issue, *Response, error) {
	var out Issue
	resp, err := s.c.do(ctx, http.MethodGet, s.c.path("issue/%s", idOrKey), opts, nil, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}

// FieldOperation is one edit of a field in an update: {"add": value},
// {"remove": value}, {"set": value} or {"edit": value}.
type FieldOperation map[string]any

// AddOp adds a value (a label, a comment) to a multi-value field.
func AddOp(v any) FieldOperation { return FieldOperation{"add": v} }

// RemoveOp removes a value from a multi-value field.
func RemoveOp(v any) FieldOperation { return FieldOperation{"remove": v} }

// SetOp replaces a field's value.
func SetOp(v any) FieldOperation { return FieldOperation{"set": v} }

// EntityProperty is an entity property set with a create or edit.
type EntityProperty struct {
	Key   string `json:"key"`
	Value any    `json:"value"`
}

// IssueUpdate is the body of a create or edit: fields to set, operations on
// fields, and entity properties.
type IssueUpdate struct {
	Fields     Fields
	Update     map[string][]FieldOperation
	Properties []EntityProperty
}

// wireUpdate is IssueUpdateDetails as sent.
type wireUpdate struct {
	Fields     map[string]any              `json:"fields,omitempty"`
	Update     map[string][]FieldOperation `json:"update,omitempty"`
	Properties []EntityProperty            `json:"properties,omitempty"`
}

func (c *Client) encodeUpdate(ctx context.Context, in *IssueUpdate) (*wireUpdate, error) {
	if in == nil {
		return &wireUpdate{}, nil
	}
	fields, err := c.encodeFields(ctx, in.Fields)
	if err != nil {
		return nil, err
	}
	w := &wireUpdate{Fields: fields, Properties: in.Properties}
	if len(in.Update) > 0 {
		w.Update = make(map[string][]FieldOperation, len(in.Update))
		for k, ops := range in.Update {
			id := k
			var schema *FieldSchema
			if !systemFieldIDs[k] && k != "comment" {
				f, err := c.Fields.Resolve(ctx, k)
				if err != nil {
					return nil, err
				}
				id, schema = f.ID, f.Schema
			}
			enc := make([]FieldOperation, len(ops))
			for i, op := range ops {
				enc[i] = make(FieldOperation, len(op))
				for verb, v := range op {
					enc[i][verb] = c.encodeOpValue(k, v, schema)
				}
			}
			w.Update[id] = enc
		}
	}
	return w, nil
}

// encodeOpValue renders comment bodies in the deployment's form.
func (c *Client) encodeOpValue(field string, v any, schema *FieldSchema) any {
	if field == "comment" {
		if cm, ok := v.(*CommentInput); ok {
			return c.commentBody(cm)
		}
	}
	return c.encodeValue(v, schema)
}

// CreatedIssue is what Jira returns for a created issue.
type CreatedIssue struct {
	Extras

	ID   string `json:"id"`
	Key  string `json:"key"`
	Self string `json:"self,omitempty"`
	// Transition is the outcome of the transition asked for with the
	// create (a "transition" in the body), when Jira reports one.
	Transition *CreateTransition `json:"transition,omitempty"`
}

// CreateTransition is the outcome of a transition made with a create:
// Status is its HTTP status, ErrorCollection what Jira refused.
type CreateTransition struct {
	Extras

	Status          int              `json:"status"`
	ErrorCollection *ErrorCollection `json:"errorCollection,omitempty"`
}

// ErrorCollection is Jira's error shape: general messages and messages by
// field id.
type ErrorCollection struct {
	Extras

	ErrorMessages []string          `json:"errorMessages"`
	Errors        map[string]string `json:"errors"`
	Status        int               `json:"status,omitempty"`
}

// Create opens an issue (POST /issue). Fields name the project
// ({"key": "SEC"}), issuetype ({"name": "Bug"}) and summary at least.
func (s *IssuesService) Create(ctx context.Context, in *IssueUpdate) (*CreatedIssue, *Response, error) {
	body, err := s.c.encodeUpdate(ctx, in)
	if err != nil {
		return nil, nil, err
	}
	var out CreatedIssue
	resp, err := s.c.do(ctx, http.MethodPost, s.c.path("issue"), nil, body, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}

// EditOptions tunes Edit.
type EditOptions struct {
	// NotifyUsers false suppresses notifications (needs admin rights).
	NotifyUsers *bool `url:"notifyUsers,omitempty"`
}

// Edit changes an issue (PUT /issue/{idOrKey}). Transitions are not made
// through Edit; use the Transitions service.
func (s *IssuesService) Edit(ctx context.Context, idOrKey string, in *IssueUpdate, opts *EditOptions) (*Response, error) {
	body, err := s.c.encodeUpdate(ctx, in)
	if err != nil {
		return nil, err
	}
	return s.c.do(ctx, http.MethodPut, s.c.path("issue/%s", idOrKey), opts, body, nil)
}

// DeleteOptions tunes Delete.
type DeleteOptions struct {
	// DeleteSubtasks must be true to delete an issue that has subtasks.
	DeleteSubtasks bool `url:"deleteSubtasks,omitempty"`
}

// Delete deletes an issue.
func (s *IssuesService) Delete(ctx context.Context, idOrKey string, opts *DeleteOptions) (*Response, error) {
	return s.c.do(ctx, http.MethodDelete, s.c.path("issue/%s", idOrKey), opts, nil, nil)
}

// MaxBulkCreate is the most issues Jira creates in one bulk request.
const MaxBulkCreate = 50

// BulkResult is the outcome of one input of CreateBulk: Issue, or Err, an
// error of type *BulkElementError for an element Jira refused.
type BulkResult struct {
	Index int
	Issue *CreatedIssue
	Err   error
}

// BulkElementError is Jira's refusal of one element of a bulk create.
type BulkElementError struct {
	// Index is the position of the element in the caller's input.
	Index  int
	Status int
	// Messages and Errors are Jira's errorMessages and field errors.
	Messages []string
	Errors   map[string]string
}

// Error names the input index and Jira's message, read from the element's
// error collection as for any Jira error.
func (e *BulkElementError) Error() string {
	body, _ := json.Marshal(errorCollection{ErrorMessages: e.Messages, Errors: e.Errors})
	msg := rest.ErrorMessage(body)
	if msg == "" {
		msg = "no message"
	}
	return fmt.Sprintf("jira: bulk create: input %d refused (%d %s): %s", e.Index, e.Status, http.StatusText(e.Status), msg)
}

// Is maps the element's status onto the tracker sentinels.
func (e *BulkElementError) Is(target error) bool {
	return (&rest.APIError{StatusCode: e.Status}).Is(target)
}

// bulkElementError builds the error of a refused element, its messages
// redacted: a partly successful bulk create answers 201, whose body is not
// an error body and has not been redacted yet.
func (c *Client) bulkElementError(idx, status int, ec errorCollection) *BulkElementError {
	e := &BulkElementError{Index: idx, Status: status}
	for _, m := range ec.ErrorMessages {
		e.Messages = append(e.Messages, c.rest.Redact(m))
	}
	if ec.Errors != nil {
		e.Errors = make(map[string]string, len(ec.Errors))
		for k, v := range ec.Errors {
			e.Errors[c.rest.Redact(k)] = c.rest.Redact(v)
		}
	}
	return e
}

type bulkResponse struct {
	Issues []CreatedIssue `json:"issues"`
	Errors []struct {
		Status              int             `json:"status"`
		FailedElementNumber int             `json:"failedElementNumber"`
		ElementErrors       errorCollection `json:"elementErrors"`
	} `json:"errors"`
}

type errorCollection = ErrorCollection

// CreateBulk opens issues in requests of at most MaxBulkCreate (POST
// /issue/bulk). It returns one result per input, in order; an element Jira
// refuses gets a *BulkElementError naming its input index and Jira's
// message. The error return is for failures of a whole request
// (authentication, rate limits, transport); results then hold what the
// earlier requests created.
func (s *IssuesService) CreateBulk(ctx context.Context, in []*IssueUpdate) ([]BulkResult, error) {
	results := make([]BulkResult, len(in))
	for i := range results {
		results[i].Index = i
	}
	for start := 0; start < len(in); start += MaxBulkCreate {
		end := min(start+MaxBulkCreate, len(in))
		body := struct {
			IssueUpdates []*wireUpdate `json:"issueUpdates"`
		}{IssueUpdates: make([]*wireUpdate, 0, end-start)}
		for _, u := range in[start:end] {
			w, err := s.c.encodeUpdate(ctx, u)
			if err != nil {
				return results, err
			}
			body.IssueUpdates = append(body.IssueUpdates, w)
		}
		var out bulkResponse
		_, err := s.c.do(ctx, http.MethodPost, s.c.path("issue/bulk"), nil, body, &out)
		if err != nil {
			// When every element fails Jira answers 400 with the same
			// shape; anything else fails the whole call.
			var ae *rest.APIError
			if !errors.As(err, &ae) || ae.StatusCode != http.StatusBadRequest || json.Unmarshal(ae.Body, &out) != nil || len(out.Errors) == 0 {
				return results, fmt.Errorf("jira: bulk create of inputs %d to %d: %w", start, end-1, err)
			}
		}
		failed := map[int]bool{}
		for _, e := range out.Errors {
			idx := start + e.FailedElementNumber
			if e.FailedElementNumber < 0 || idx >= end {
				continue
			}
			failed[idx] = true
			status := e.Status
			if status == 0 {
				status = http.StatusBadRequest
			}
			results[idx].Err = s.c.bulkElementError(idx, status, e.ElementErrors)
		}
		created := out.Issues
		for idx := start; idx < end; idx++ {
			if failed[idx] {
				continue
			}
			if len(created) == 0 {
				results[idx].Err = fmt.Errorf("jira: bulk create: input %d: Jira reported neither an issue nor an error: %w", idx, tracker.ErrUnavailable)
				continue
			}
			ci := created[0]
			created = created[1:]
			results[idx].Issue = &ci
		}
	}
	return results, nil
}
