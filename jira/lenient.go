package jira

// Lenient decoding of the types the client returns; see [Extras].

// UnmarshalJSON decodes leniently; see [Extras].
func (v *User) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *Project) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *IssueType) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *StatusCategory) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *Status) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *Priority) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *Resolution) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *IssueRef) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *Issue) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *Changelog) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *ChangeHistory) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *Comment) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *Visibility) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *Field) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *FieldSchema) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *Transition) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *FieldMetadata) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *RemoteLink) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *RemoteApplication) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *RemoteObject) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *RemoteStatus) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *RemoteLinkRef) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *CreatedIssue) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *IssueTypeStatuses) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *AccessibleResource) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *Component) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *Version) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *ErrorCollection) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *CreateTransition) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *RemoteIcon) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *WorkflowStatus) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *StatusScope) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *GroupList) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *Group) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *ApplicationRoleList) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *ApplicationRole) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *CommentPage) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *cloudSearchResponse) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }

// UnmarshalJSON decodes leniently; see [Extras].
func (v *dcSearchResponse) UnmarshalJSON(data []byte) error { return decodeLenient(data, v) }
