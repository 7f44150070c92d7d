package contract

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"

	"github.com/getkin/kin-openapi/openapi3"
)

// vendor says where a document lives and how it is corrected in memory
// before use. The files on disk are never changed.
type vendor struct {
	file    string
	fixText func([]byte) []byte         // before parsing
	fixDoc  func(doc *openapi3.T) error // after parsing, before routing
}

// vendorNamed returns the vendor registered under name.
func vendorNamed(name string) (vendor, bool) {
	switch name {
	case Jira:
		// Atlassian's own document is used as published. Its servers entry
		// (https://your-domain.atlassian.net) is dropped by Open like every
		// other document's, and its securitySchemes (basic, OAuth2) are not
		// checked; everything else, bodies and responses included, is.
		return vendor{file: "jira-cloud-platform.openapi.json"}, true
	case ExtraHop:
		return vendor{
			file:    "extrahop-revealx360.community.openapi.yaml",
			fixText: fixExtraHopText,
			fixDoc:  fixExtraHopDoc,
		}, true
	}
	return vendor{}, false
}

// vendorNames lists the names [Open] accepts, for error messages.
const vendorNames = Jira + ", " + ExtraHop

// yamlIndicatorItem matches sequence items that strict YAML reads as
// something other than a string: "- >" starts a folded scalar, "- =" is
// the !!value tag, "- ~" is null, and "- <", "- <=" are quoted alongside
// for symmetry.
var yamlIndicatorItem = regexp.MustCompile(`(?m)^(\s*- )(>|=|~|<|<=)[ \t]*$`)

// fixExtraHopText corrects the community ExtraHop document's text before
// it is parsed:
//
//   - The operators enum of DeviceSearch.filter.operator lists ">", "=",
//     "~", "<" and "<=" unquoted, which is not valid YAML for strict
//     loaders; they are quoted.
//   - Paths with the typo prefix /ap1/v1/ (detections/search,
//     detections/tickets, detections/{id}/notes and tags/{id}) are
//     rewritten to /api/v1/.
func fixExtraHopText(data []byte) []byte {
	data = yamlIndicatorItem.ReplaceAll(data, []byte("${1}'${2}'"))
	return bytes.ReplaceAll(data, []byte("/ap1/v1/"), []byte("/api/v1/"))
}

// fixExtraHopDoc corrects the community ExtraHop document where it
// disagrees with ExtraHop's own endpoint catalogue and recorded responses:
//
//   - Detection gains mod_time and create_time (integer, nullable), url
//     (string), recommended (boolean) and recommended_factors (strings);
//     risk_score and end_time become nullable; properties, typed as a list
//     of strings, is really an object of type-specific values and accepts
//     any value. Detection stays open to further properties (it declares
//     no additionalProperties: false), since newer builds add fields.
//   - DetectionSearch gains mod_time, create_time, id_only and
//     include_activity_log; its filter gains risk_score_min, categories,
//     types and recommended, and ".none" joins the status enum; sort is a
//     list of {field, direction} objects, not a single object.
//   - PATCH /api/v1/detections/{id} takes only ticket_id (required),
//     status, assignee, resolution and participants, not the whole
//     Detection (the document reuses Detection); other fields are
//     rejected.
//   - PATCH /api/v1/detections/{id}, PATCH /api/v1/detections/tickets and
//     PUT and DELETE /api/v1/detections/{id}/notes answer 204 No Content,
//     which the document does not declare; DetectionTicket requires
//     ticket_id.
//   - The NotFound response also allows application/json, the media
//     type ExtraHop's error bodies ({"error_message": ...}) carry.
func fixExtraHopDoc(doc *openapi3.T) error {
	schemas := doc.Components.Schemas
	detection, err := componentSchema(schemas, "Detection")
	if err != nil {
		return err
	}
	for _, name := range []string{"mod_time", "create_time"} {
		detection.Properties[name] = openapi3.NewSchemaRef("", openapi3.NewInt64Schema().WithNullable())
	}
	detection.Properties["url"] = openapi3.NewSchemaRef("", openapi3.NewStringSchema().WithNullable())
	detection.Properties["recommended"] = openapi3.NewSchemaRef("", openapi3.NewBoolSchema().WithNullable())
	detection.Properties["recommended_factors"] = openapi3.NewSchemaRef("",
		openapi3.NewArraySchema().WithItems(openapi3.NewStringSchema()).WithNullable())
	detection.Properties["properties"] = openapi3.NewSchemaRef("", openapi3.NewSchema().WithNullable())
	for _, name := range []string{"risk_score", "end_time"} {
		p, err := property(detection, "Detection", name)
		if err != nil {
			return err
		}
		p.Nullable = true
	}

	search, err := componentSchema(schemas, "DetectionSearch")
	if err != nil {
		return err
	}
	for _, name := range []string{"mod_time", "create_time"} {
		search.Properties[name] = openapi3.NewSchemaRef("", openapi3.NewInt64Schema().WithNullable())
	}
	search.Properties["id_only"] = openapi3.NewSchemaRef("", openapi3.NewBoolSchema().WithNullable())
	search.Properties["include_activity_log"] = openapi3.NewSchemaRef("", openapi3.NewBoolSchema().WithNullable())
	search.Properties["sort"] = openapi3.NewSchemaRef("", openapi3.NewArraySchema().WithNullable().WithItems(
		openapi3.NewObjectSchema().
			WithProperty("field", openapi3.NewStringSchema()).
			WithProperty("direction", openapi3.NewStringSchema().WithEnum("asc", "desc")).
			WithRequired([]string{"field"})))
	filter, err := property(search, "DetectionSearch", "filter")
	if err != nil {
		return err
	}
	stringList := openapi3.NewArraySchema().WithItems(openapi3.NewStringSchema()).WithNullable()
	filter.Properties["risk_score_min"] = openapi3.NewSchemaRef("", openapi3.NewIntegerSchema().WithNullable())
	filter.Properties["categories"] = openapi3.NewSchemaRef("", stringList)
	filter.Properties["types"] = openapi3.NewSchemaRef("", stringList)
	filter.Properties["recommended"] = openapi3.NewSchemaRef("", openapi3.NewBoolSchema().WithNullable())
	status, err := property(filter, "DetectionSearch.filter", "status")
	if err != nil {
		return err
	}
	if status.Items == nil || status.Items.Value == nil {
		return fmt.Errorf("DetectionSearch.filter.status has no items schema")
	}
	status.Items.Value.Enum = append(status.Items.Value.Enum, ".none")

	ticket, err := componentSchema(schemas, "DetectionTicket")
	if err != nil {
		return err
	}
	ticket.Required = []string{"ticket_id"}

	update := openapi3.NewObjectSchema().
		WithProperty("ticket_id", openapi3.NewStringSchema().WithNullable()).
		WithProperty("status", openapi3.NewStringSchema().WithNullable().
			WithEnum("new", "in_progress", "closed", "acknowledged", nil)).
		WithProperty("assignee", openapi3.NewStringSchema().WithNullable()).
		WithProperty("resolution", openapi3.NewStringSchema().WithNullable().
			WithEnum("action_taken", "no_action_taken", nil)).
		WithPropertyRef("participants", &openapi3.SchemaRef{Value: openapi3.NewArraySchema().
			WithItems(openapi3.NewObjectSchema())}).
		WithRequired([]string{"ticket_id"}).
		WithoutAdditionalProperties()
	patch, err := operation(doc, "/api/v1/detections/{id}", "PATCH")
	if err != nil {
		return err
	}
	patch.RequestBody = &openapi3.RequestBodyRef{Value: openapi3.NewRequestBody().WithJSONSchema(update)}

	noContent := &openapi3.ResponseRef{Value: openapi3.NewResponse().WithDescription("No Content")}
	for _, op := range []struct{ path, method string }{
		{"/api/v1/detections/{id}", "PATCH"},
		{"/api/v1/detections/tickets", "PATCH"},
		{"/api/v1/detections/{id}/notes", "PUT"},
		{"/api/v1/detections/{id}/notes", "DELETE"},
	} {
		o, err := operation(doc, op.path, op.method)
		if err != nil {
			return err
		}
		o.Responses.Set("204", noContent)
	}

	notFound := doc.Components.Responses["NotFound"]
	if notFound == nil || notFound.Value == nil {
		return fmt.Errorf("components.responses.NotFound is missing")
	}
	notFound.Value.Content["application/json"] = openapi3.NewMediaType().WithSchema(openapi3.NewObjectSchema())
	return nil
}

func componentSchema(schemas openapi3.Schemas, name string) (*openapi3.Schema, error) {
	ref := schemas[name]
	if ref == nil || ref.Value == nil {
		return nil, fmt.Errorf("components.schemas.%s is missing", name)
	}
	return ref.Value, nil
}

func property(s *openapi3.Schema, owner, name string) (*openapi3.Schema, error) {
	ref := s.Properties[name]
	if ref == nil || ref.Value == nil {
		return nil, fmt.Errorf("%s.%s is missing", owner, name)
	}
	return ref.Value, nil
}

func operation(doc *openapi3.T, path, method string) (*openapi3.Operation, error) {
	item := doc.Paths.Value(path)
	if item == nil {
		return nil, fmt.Errorf("path %s is missing", path)
	}
	op := item.GetOperation(method)
	if op == nil {
		return nil, fmt.Errorf("%s %s is missing", method, path)
	}
	return op, nil
}

// pathParam matches a path template variable such as {issueIdOrKey}.
var pathParam = regexp.MustCompile(`\{[^}/]+\}`)

// mergeEquivalentPaths folds together paths that differ only in the
// names of their path variables (Jira declares PUT /field/{fieldId} and
// DELETE /field/{id}, and likewise for issuesecurityschemes and
// notificationscheme). The router cannot hold both, and a request cannot
// tell them apart; the operations of the later path move to the first,
// with their path parameters renamed. Paths declaring the same method
// twice are left alone and reported by the router.
func mergeEquivalentPaths(doc *openapi3.T) {
	first := make(map[string]string) // shape → first path with that shape
	paths := make([]string, 0, doc.Paths.Len())
	for path := range doc.Paths.Map() {
		paths = append(paths, path)
	}
	sort.Strings(paths)
	for _, path := range paths {
		shape := pathParam.ReplaceAllString(path, "{}")
		target, seen := first[shape]
		if !seen {
			first[shape] = path
			continue
		}
		from, to := doc.Paths.Value(path), doc.Paths.Value(target)
		if overlap(from, to) {
			continue
		}
		rename := make(map[string]string)
		oldNames, newNames := pathParam.FindAllString(path, -1), pathParam.FindAllString(target, -1)
		for i := range oldNames {
			rename[oldNames[i][1:len(oldNames[i])-1]] = newNames[i][1 : len(newNames[i])-1]
		}
		for method, op := range from.Operations() {
			moved := *op
			moved.Parameters = renamePathParams(append(append(openapi3.Parameters(nil), from.Parameters...), op.Parameters...), rename)
			to.SetOperation(method, &moved)
		}
		doc.Paths.Delete(path)
	}
}

func overlap(a, b *openapi3.PathItem) bool {
	for method := range a.Operations() {
		if b.GetOperation(method) != nil {
			return true
		}
	}
	return false
}

// renamePathParams returns params with path parameters renamed; renamed
// parameters are copied, never changed in place, since they may be shared
// components.
func renamePathParams(params openapi3.Parameters, rename map[string]string) openapi3.Parameters {
	out := make(openapi3.Parameters, 0, len(params))
	for _, ref := range params {
		if ref == nil || ref.Value == nil || ref.Value.In != openapi3.ParameterInPath {
			out = append(out, ref)
			continue
		}
		name, ok := rename[ref.Value.Name]
		if !ok {
			out = append(out, ref)
			continue
		}
		p := *ref.Value
		p.Name = name
		out = append(out, &openapi3.ParameterRef{Value: &p})
	}
	return out
}
