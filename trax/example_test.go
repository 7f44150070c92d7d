package trax_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/trackbridge/trackbridge/tracker"
	"github.com/trackbridge/trackbridge/trax"
	"github.com/trackbridge/trackbridge/trax/traxtest"
)

// Post one high-severity issue to a postbox through the adapter, the way
// the S1 flow (YouTrack → trax) does.
func ExampleNewAdapter() {
	postbox := traxtest.New() // a fake postbox; use the real Create URL and token
	defer postbox.Close()

	client, err := trax.New(postbox.URL(),
		trax.WithToken(postbox.Token()),
		trax.WithERD(trax.DefaultERD()),
		trax.WithRecordURL("https://trax.example.com/cip/records/{id}"),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	isms, err := trax.NewAdapter(client, trax.AdapterConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	issue, err := isms.CreateIssue(context.Background(), &tracker.NewIssue{
		Summary:     "Ransomware note found on file server FS-02",
		Description: "Severity High, reported through the help desk.",
		Fields: map[string]any{
			"source":         "YouTrack",
			"classification": "High",
			"contact":        "soc@example.com",
			"issue_url":      "https://youtrack.example.com/issue/HD-25",
		},
		Marker: "HD-25", // the record id: a repeated post is the same record
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(issue.ID, issue.URL)
	rec, _ := postbox.Record("HD-25")
	fmt.Println(rec.Attributes["name"], "/", rec.Attributes["classification"])
	// Output:
	// HD-25 https://trax.example.com/cip/records/HD-25
	// Ransomware note found on file server FS-02 / High
}

// Post records directly; a record that breaks the ERD stops the call
// before anything is sent.
func ExampleClient_Create() {
	postbox := traxtest.New()
	defer postbox.Close()
	client, err := trax.New(postbox.URL(), trax.WithToken(postbox.Token()), trax.WithERD(trax.DefaultERD()))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()

	res, err := client.Create(ctx, traxtest.SampleRecords(2)...)
	fmt.Println(res.Accepted, err)

	_, err = client.Create(ctx, trax.Record{ID: "HD-3", Attributes: map[string]any{"source": "YouTrack", "severity": "High"}})
	fmt.Println(err)
	fmt.Println(errors.Is(err, tracker.ErrInvalid), postbox.RequestsTo("POST "+traxtest.CreatePath))
	// Output:
	// [HD-1 HD-2] <nil>
	// trax: invalid record "HD-3": attribute "name": required attribute missing; record "HD-3": attribute "severity": unknown attribute (ERD "trackbridge-default" defines name, description, source, classification, contact, issue_url)
	// true 2
}

// An ERD as a trax administrator would describe a postbox, in YAML.
func ExampleParseERD() {
	erd, err := trax.ParseERD([]byte(`
name: isms-intake
fields:
  - name: name
    type: string
    required: true
    max_length: 120
    target: title
  - name: severity
    type: enum
    allowed: [Low, Medium, High, Critical]
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	err = erd.Validate(trax.Record{ID: "HD-25", Attributes: map[string]any{"name": "Stolen laptop", "severity": "Urgent"}})
	fmt.Println(err)

	_, err = trax.ParseERD([]byte("fields:\n  - name: score\n    type: float\n"))
	fmt.Println(err)
	// Output:
	// trax: invalid record "HD-25": attribute "severity": value "Urgent" not allowed (want one of Low, Medium, High, Critical)
	// trax: ERD: line 3: fields[0].type: unknown type "float" (want one of string, text, number, integer, boolean, date, datetime, url, email, enum)
}
