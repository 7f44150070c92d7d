package access_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/trackbridge/trackbridge/tracker"
	"github.com/trackbridge/trackbridge/tracker/access"
	"github.com/trackbridge/trackbridge/tracker/trackertest"
)

func ExampleReview() {
	ctx := context.Background()
	// Any tracker.UserDirectory will do: a YouTrack or Jira adapter in
	// production, the in-memory tracker here.
	yt := trackertest.NewMemory("youtrack")
	seen := time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC)
	yt.AddUser(&tracker.User{ID: "1-1", Login: "ana", Email: "Ana.Lima@example.com", Active: true, LastAccess: seen, Groups: []string{"developers"}})
	yt.AddUser(&tracker.User{ID: "1-2", Login: "jdoe", Email: "john.doe@example.com", Active: true, LastAccess: seen})
	yt.AddUser(&tracker.User{ID: "1-3", Login: "bo", Email: "bo@example.com", Active: false})
	yt.AddUser(&tracker.User{ID: "1-4", Login: "tmp-contractor", Active: true, LastAccess: seen, Groups: []string{"admins"}})
	yt.AddUser(&tracker.User{ID: "1-5", Login: "guest", Guest: true, Active: true})

	roster, err := access.ReadCSV(strings.NewReader(`email,status,offboarded,role
ana.lima@example.com,active,,developer
john.doe@example.com,offboarded,2026-10-01,developer
bo@example.com,offboarded,2026-11-01,support
`), access.ReadOptions{Name: "roster.csv"})
	if err != nil {
		fmt.Println(err)
		return
	}
	rep, err := access.Review(ctx, yt, roster, access.Policy{
		Directory:        "YouTrack",
		OffboardingGrace: 7 * 24 * time.Hour,
		Access:           map[string][]string{"developer": {"developers", "project-*"}},
		Exempt:           access.Exemptions{Guests: true},
		Now:              func() time.Time { return time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range rep.Findings {
		fmt.Printf("%s\n  %s\n", f.Key(), f.Evidence.Text)
	}
	fmt.Println(rep.Summary())
	// Output:
	// offboarded-active:1-2
	//   The roster lists john.doe@example.com as offboarded on 2026-10-01 (roster.csv:3), but account jdoe is still active in YouTrack after the 7 days grace period.
	// unidentified-account:1-4
	//   Active account tmp-contractor in YouTrack matches no roster entry by login tmp-contractor; add the person to the roster, or the account to the exemptions if it is a service account.
	// 5 accounts (4 active) against 3 roster entries: 2 findings (1 offboarded-active, 1 unidentified-account)
}

func ExampleReadCSV() {
	_, err := access.ReadCSV(strings.NewReader(`email,login,status,offboarded,role
ana@example.com,ana,active,,developer
bo@example.com,bo,gone,,developer
ANA@example.com,ana2,active,,developer
cy@example.com,cy,offboarded,last week,support
`), access.ReadOptions{Name: "roster.csv"})
	fmt.Println(err)
	// Output:
	// roster.csv:3: status "gone" is not active or offboarded
	// roster.csv:4: email "ANA@example.com" is also on line 2
	// roster.csv:5: offboarded date "last week" is neither YYYY-MM-DD nor RFC 3339
}

func ExampleFindingsTracker() {
	ctx := context.Background()
	yt := trackertest.NewMemory("youtrack")
	yt.AddUser(&tracker.User{ID: "1-7", Login: "mallory", Active: true})
	day := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	review := func() *access.Report {
		rep, _ := access.Review(ctx, yt, access.StaticRoster{}, access.Policy{Directory: "YouTrack", Now: func() time.Time { return day }})
		day = day.Add(24 * time.Hour)
		return rep
	}

	ft := access.NewFindingsTracker("")
	fmt.Printf("%+v\n", ft.Record(review()))
	fmt.Printf("%+v\n", ft.Record(review()))
	// The account is banned; the next review no longer finds it.
	yt = trackertest.NewMemory("youtrack")
	yt.AddUser(&tracker.User{ID: "1-7", Login: "mallory", Active: false})
	fmt.Printf("%+v\n", ft.Record(review()))

	is, _ := ft.GetIssue(ctx, "unidentified-account:1-7")
	fmt.Println(is.Summary, "|", is.Status, is.StatusCategory)
	// Output:
	// {Opened:[unidentified-account:1-7] Resolved:[] Open:1}
	// {Opened:[] Resolved:[] Open:1}
	// {Opened:[] Resolved:[unidentified-account:1-7] Open:0}
	// Account mallory in YouTrack matches no roster entry | Resolved done
}
