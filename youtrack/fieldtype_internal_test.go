package youtrack

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIssueFieldTypeOf(t *testing.T) {
	t.Parallel()
	tests := []struct{ typeID, want string }{
		{"enum[1]", TypeSingleEnum},
		{"enum[*]", TypeMultiEnum},
		{"state[1]", TypeState},
		{"user[1]", TypeSingleUser},
		{"user[*]", TypeMultiUser},
		{"date", TypeDate},
		{"date and time", TypeSimple},
		{"integer", TypeSimple},
		{"text", TypeText},
		{"period", TypePeriod},
	}
	for _, tt := range tests {
		pcf := &ProjectCustomField{Field: &FieldDef{FieldType: &FieldType{ID: tt.typeID}}}
		assert.Equal(t, tt.want, issueFieldTypeOf(pcf), "type id %q", tt.typeID)
	}
	assert.Empty(t, issueFieldTypeOf(&ProjectCustomField{}), "no field, no type")
}
