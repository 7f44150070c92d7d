package jira

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/trackbridge/trackbridge/internal/rest"
)

// AccessibleResourcesURL lists the sites an OAuth 2.0 (3LO) token grants.
const AccessibleResourcesURL = "https://api.atlassian.com/oauth/token/accessible-resources"

// GatewayURL is the base of OAuth 2.0 API calls; append the cloud id.
const GatewayURL = "https://api.atlassian.com/ex/jira/"

// AccessibleResource is a site an OAuth 2.0 token grants access to.
type AccessibleResource struct {
	Extras

	ID        string   `json:"id"`
	URL       string   `json:"url"`
	Name      string   `json:"name"`
	Scopes    []string `json:"scopes"`
	AvatarURL string   `json:"avatarUrl,omitempty"`
}

// AccessibleResources lists the sites the token behind hc grants. hc must
// add the token itself, as a client from oauth2.Config.Client does.
func AccessibleResources(ctx context.Context, hc *http.Client) ([]AccessibleResource, error) {
	rc, err := rest.New(rest.Config{Vendor: "jira", BaseURL: "https://api.atlassian.com/", HTTPClient: hc})
	if err != nil {
		return nil, err
	}
	var out []AccessibleResource
	if _, err := rc.Do(ctx, &rest.Request{Path: "oauth/token/accessible-resources"}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// CloudIDFor returns the cloud id of the site at siteURL
// (https://acme.atlassian.net) among the sites the token behind hc grants.
// Build the client with New(GatewayURL+cloudID, WithTokenSource(ts),
// WithSiteURL(siteURL)).
func CloudIDFor(ctx context.Context, hc *http.Client, siteURL string) (string, error) {
	list, err := AccessibleResources(ctx, hc)
	if err != nil {
		return "", err
	}
	want := strings.TrimRight(strings.ToLower(siteURL), "/")
	for _, r := range list {
		if strings.TrimRight(strings.ToLower(r.URL), "/") == want {
			return r.ID, nil
		}
	}
	return "", fmt.Errorf("jira: the token grants no access to %s (it grants %d other sites)", siteURL, len(list))
}
