package jira

import (
	"context"
	"encoding/json"
	"net/http"
)

// PropertiesService reads and writes issue entity properties: JSON values
// stored on an issue under a key, up to 32 KiB each.
type PropertiesService service

// Get returns a property's value.
func (s *PropertiesService) Get(ctx context.Context, issue, key string) (json.RawMessage, *Response, error) {
	var out struct {
		Key   string          `json:"key"`
		Value json.RawMessage `json:"value"`
	}
	resp, err := s.c.do(ctx, http.MethodGet, s.c.path("issue/%s/properties/%s", issue, key), nil, nil, &out)
	if err != nil {
		return nil, resp, err
	}
	return out.Value, resp, nil
}

// Set stores value (encoded as JSON) under key.
func (s *PropertiesService) Set(ctx context.Context, issue, key string, value any) (*Response, error) {
	return s.c.do(ctx, http.MethodPut, s.c.path("issue/%s/properties/%s", issue, key), nil, value, nil)
}

// Delete removes a property.
func (s *PropertiesService) Delete(ctx context.Context, issue, key string) (*Response, error) {
	return s.c.do(ctx, http.MethodDelete, s.c.path("issue/%s/properties/%s", issue, key), nil, nil, nil)
}
