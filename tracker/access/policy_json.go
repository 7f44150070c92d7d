package access

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// policyFile is the JSON form of a Policy.
type policyFile struct {
	Directory        string              `json:"directory"`
	Match            []MatchKey          `json:"match"`
	OffboardingGrace string              `json:"offboarding_grace"`
	StaleAfter       string              `json:"stale_after"`
	Access           map[string][]string `json:"access"`
	Common           []string            `json:"common"`
	Exempt           struct {
		Accounts []string `json:"accounts"`
		Bots     bool     `json:"bots"`
		Guests   bool     `json:"guests"`
		Rules    []Rule   `json:"rules"`
	} `json:"exempt"`
}

// ReadPolicy reads a policy from JSON, so that the people who own access
// rules can keep them in a file:
//
//	{
//	  "directory": "YouTrack",
//	  "match": ["email", "login"],
//	  "offboarding_grace": "7d",
//	  "stale_after": "90d",
//	  "access": {"admin": ["*"], "developer": ["Developers", "project-*"]},
//	  "common": ["All Users"],
//	  "exempt": {"accounts": ["svc-*"], "bots": true, "guests": true,
//	             "rules": ["unidentified-account"]}
//	}
//
// Every key is optional and means what the [Policy] field of that name
// does. Durations are whole days ("90d") or Go durations ("36h"). Unknown
// keys are an error, as are unknown match keys and rules, so a typo cannot
// quietly turn a rule off. The clock (Policy.Now) is left nil.
// [ReadOptions.Name] names the input in errors and MaxBytes caps it;
// IgnoreUnknown is not honoured.
func ReadPolicy(r io.Reader, opts ReadOptions) (Policy, error) {
	name := opts.Name
	if name == "" {
		name = "policy"
	}
	data, err := readCapped(r, name, opts.maxBytes())
	if err != nil {
		return Policy{}, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f policyFile
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return Policy{}, fmt.Errorf("%s: empty", name)
		}
		return Policy{}, fmt.Errorf("%s: %w", name, err)
	}
	if dec.More() {
		return Policy{}, fmt.Errorf("%s: data after the policy object", name)
	}
	p := Policy{
		Directory: f.Directory,
		Match:     f.Match,
		Access:    f.Access,
		Common:    f.Common,
		Exempt: Exemptions{
			Accounts: f.Exempt.Accounts,
			Bots:     f.Exempt.Bots,
			Guests:   f.Exempt.Guests,
			Rules:    f.Exempt.Rules,
		},
	}
	var errs []error
	if p.OffboardingGrace, err = ParseDays(f.OffboardingGrace); err != nil {
		errs = append(errs, fmt.Errorf("%s: offboarding_grace: %w", name, err))
	}
	if p.StaleAfter, err = ParseDays(f.StaleAfter); err != nil {
		errs = append(errs, fmt.Errorf("%s: stale_after: %w", name, err))
	}
	if err := p.validate(); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", name, err))
	}
	if err := errors.Join(errs...); err != nil {
		return Policy{}, err
	}
	return p, nil
}

// ParseDays reads a duration as whole days ("90d") or as a Go duration
// ("36h", "1h30m"). The empty string is zero.
func ParseDays(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if n, ok := strings.CutSuffix(s, "d"); ok {
		d, err := strconv.Atoi(n)
		if err != nil || d < 0 || d > 100*365 {
			return 0, fmt.Errorf("%q is not a number of days", s)
		}
		return time.Duration(d) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is neither a number of days (90d) nor a duration (36h)", s)
	}
	return d, nil
}
