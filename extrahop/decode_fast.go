package extrahop

import (
	"bytes"
	"encoding/json"
	"errors"
	"time"

	"github.com/trackbridge/trackbridge/internal/jsonscan"
)

// The one-pass decoders below read a detection in the shape ExtraHop sends
// it, looking at each key once and allocating little more than the values
// themselves. Anything else (a value of an unexpected type, a float where
// an integer goes, a key that matches a field only case-insensitively)
// sends the whole detection to the field-by-field decoder, which reports
// problems; both give the same result for what the fast one accepts.

// errSlow sends a value to the field-by-field decoder.
var errSlow = errors.New("extrahop: decode field by field")

// decodeFast decodes a detection in ExtraHop's usual shape.
func (d *Detection) decodeFast(data []byte) error {
	var out Detection
	var seen uint32
	err := jsonscan.Object(data, func(rawKey, v []byte) error {
		key, ok := jsonscan.Key(rawKey)
		if !ok || again(&seen, key, detectionKeys) {
			return errSlow
		}
		switch string(key) {
		case "id":
			return fastInt(v, &out.ID)
		case "appliance_id":
			return fastInt(v, &out.ApplianceID)
		case "title":
			return fastString(v, &out.Title)
		case "description":
			return fastString(v, &out.Description)
		case "type":
			return fastString(v, &out.Type)
		case "url":
			return fastString(v, &out.URL)
		case "categories":
			return fastStrings(v, &out.Categories)
		case "recommended_factors":
			return fastStrings(v, &out.RecommendedFactors)
		case "risk_score":
			var n int64
			if err := fastInt(v, &n); err != nil || n < -1<<31 || n >= 1<<31 {
				return errSlow
			}
			if !jsonscan.IsNull(v) {
				r := int(n)
				out.RiskScore = &r
			}
		case "start_time":
			return fastTime(v, &out.StartTime)
		case "end_time":
			return fastTime(v, &out.EndTime)
		case "update_time":
			return fastTime(v, &out.UpdateTime)
		case "mod_time":
			return fastTime(v, &out.ModTime)
		case "create_time":
			return fastTime(v, &out.CreateTime)
		case "status":
			return fastStringPtr(v, &out.Status)
		case "resolution":
			return fastStringPtr(v, &out.Resolution)
		case "assignee":
			return fastStringPtr(v, &out.Assignee)
		case "ticket_id":
			return fastStringPtr(v, &out.TicketID)
		case "ticket_url":
			return fastStringPtr(v, &out.TicketURL)
		case "recommended":
			return fastBool(v, &out.Recommended)
		case "is_user_created":
			return fastBool(v, &out.IsUserCreated)
		case "participants":
			out.Participants = nil
			if jsonscan.IsNull(v) {
				return nil
			}
			out.Participants = []Participant{}
			return jsonscan.Array(v, func(e []byte) error {
				var p Participant
				if err := p.decodeFast(e); err != nil {
					return err
				}
				out.Participants = append(out.Participants, p)
				return nil
			})
		case "mitre_tactics":
			return fastMitres(v, &out.MitreTactics)
		case "mitre_techniques":
			return fastMitres(v, &out.MitreTechniques)
		case "properties":
			out.Properties = nil
			if jsonscan.IsNull(v) {
				return nil
			}
			if v[0] != '{' {
				return errSlow
			}
			if err := json.Unmarshal(v, &out.Properties); err != nil {
				return errSlow
			}
		default:
			return keepExtra(&out.Extra, key, v, detectionKeys)
		}
		return nil
	})
	if err != nil {
		return err
	}
	*d = out
	return nil
}

// decodeFast decodes a participant in ExtraHop's usual shape.
func (p *Participant) decodeFast(data []byte) error {
	var out Participant
	var seen uint32
	err := jsonscan.Object(data, func(rawKey, v []byte) error {
		key, ok := jsonscan.Key(rawKey)
		if !ok || again(&seen, key, participantKeys) {
			return errSlow
		}
		switch string(key) {
		case "id":
			return fastInt(v, &out.ID)
		case "object_id":
			return fastInt(v, &out.ObjectID)
		case "role":
			return fastString(v, &out.Role)
		case "object_type":
			return fastString(v, &out.ObjectType)
		case "object_value":
			return fastString(v, &out.ObjectValue)
		case "hostname":
			return fastString(v, &out.Hostname)
		case "endpoint":
			return fastString(v, &out.Endpoint)
		case "scanner_service":
			return fastString(v, &out.ScannerService)
		case "username":
			return fastString(v, &out.Username)
		case "external":
			return fastBool(v, &out.External)
		default:
			return keepExtra(&out.Extra, key, v, participantKeys)
		}
	})
	if err != nil {
		return err
	}
	*p = out
	return nil
}

// fastMitres decodes a list of tactics or techniques, objects or strings.
func fastMitres(v []byte, dst *[]Mitre) error {
	*dst = nil
	if jsonscan.IsNull(v) {
		return nil
	}
	*dst = []Mitre{} // [] stays an empty list, as encoding/json has it
	return jsonscan.Array(v, func(e []byte) error {
		var m Mitre
		var seen uint32
		if s, ok := jsonscan.String(e); ok {
			if mitreID.MatchString(s) {
				m.ID = s
			} else {
				m.Name = s
			}
			*dst = append(*dst, m)
			return nil
		}
		err := jsonscan.Object(e, func(rawKey, v []byte) error {
			key, ok := jsonscan.Key(rawKey)
			if !ok || again(&seen, key, mitreKeys) {
				return errSlow
			}
			switch string(key) {
			case "id":
				return fastString(v, &m.ID)
			case "name":
				return fastString(v, &m.Name)
			case "url":
				return fastString(v, &m.URL)
			case "legacy_ids":
				return fastStrings(v, &m.LegacyIDs)
			default:
				return keepExtra(&m.Extra, key, v, mitreKeys)
			}
		})
		if err != nil {
			return err
		}
		*dst = append(*dst, m)
		return nil
	})
}

// The keys the fast decoders know, for telling an unknown key from one
// that encoding/json would match case-insensitively.
var (
	detectionKeys = []string{"id", "appliance_id", "title", "description", "type", "url", "categories",
		"recommended_factors", "risk_score", "start_time", "end_time", "update_time", "mod_time", "create_time",
		"status", "resolution", "assignee", "ticket_id", "ticket_url", "recommended", "is_user_created",
		"participants", "mitre_tactics", "mitre_techniques", "properties"}
	participantKeys = []string{"id", "object_id", "role", "object_type", "object_value", "hostname",
		"endpoint", "scanner_service", "username", "external"}
	mitreKeys = []string{"id", "name", "url", "legacy_ids"}
)

// again reports whether key, if one of known, came before in the object
// whose known keys seen marks, and marks it. A key given twice goes to the
// field-by-field decoder, which answers as encoding/json does (the last
// value wins, but a null leaves a string as it was).
func again(seen *uint32, key []byte, known []string) bool {
	for i, k := range known {
		if string(key) == k {
			bit := uint32(1) << i
			if *seen&bit != 0 {
				return true
			}
			*seen |= bit
			return false
		}
	}
	return false
}

// keepExtra keeps an unknown key's raw value, or sends the object to the
// field-by-field decoder when the key matches a known one but for case.
func keepExtra(extra *map[string]json.RawMessage, key, v []byte, known []string) error {
	for _, k := range known {
		if bytes.EqualFold(key, []byte(k)) {
			return errSlow
		}
	}
	if *extra == nil {
		*extra = map[string]json.RawMessage{}
	}
	(*extra)[string(key)] = bytes.Clone(v)
	return nil
}

// fastInt decodes an integer written as digits only (jsonscan.Digits);
// null leaves zero.
func fastInt(v []byte, dst *int64) error {
	if jsonscan.IsNull(v) {
		*dst = 0
		return nil
	}
	n, ok := jsonscan.Digits(v)
	if !ok {
		return errSlow
	}
	*dst = n
	return nil
}

// fastString decodes a string; null leaves "".
func fastString(v []byte, dst *string) error {
	if jsonscan.IsNull(v) {
		*dst = ""
		return nil
	}
	s, ok := jsonscan.String(v)
	if !ok {
		return errSlow
	}
	*dst = s
	return nil
}

// fastStringPtr decodes a string that may be null (nil).
func fastStringPtr(v []byte, dst **string) error {
	if jsonscan.IsNull(v) {
		*dst = nil
		return nil
	}
	s, ok := jsonscan.String(v)
	if !ok {
		return errSlow
	}
	*dst = &s
	return nil
}

// fastStrings decodes a list of strings; null gives nil.
func fastStrings(v []byte, dst *[]string) error {
	*dst = nil
	if jsonscan.IsNull(v) {
		return nil
	}
	*dst = []string{}
	return jsonscan.Array(v, func(e []byte) error {
		s, ok := jsonscan.String(e)
		if !ok {
			return errSlow
		}
		*dst = append(*dst, s)
		return nil
	})
}

// fastBool decodes true or false; null leaves false.
func fastBool(v []byte, dst *bool) error {
	if jsonscan.IsNull(v) {
		*dst = false
		return nil
	}
	b, ok := jsonscan.Bool(v)
	if !ok {
		return errSlow
	}
	*dst = b
	return nil
}

// fastTime decodes epoch milliseconds; null leaves the zero time.
func fastTime(v []byte, dst *Time) error {
	if jsonscan.IsNull(v) {
		*dst = Time{}
		return nil
	}
	var ms int64
	if err := fastInt(v, &ms); err != nil {
		return err
	}
	*dst = Time{time.UnixMilli(ms).UTC()}
	return nil
}
