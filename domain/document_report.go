package domain

import (
	"time"

	"tftsr/domain/report"
)

// BuildReport returns the Markdown of a document of kind built from in.
func BuildReport(kind DocumentKind, in report.Input) string {
	if kind == DocumentPostmortem {
		return report.Postmortem(in)
	}
	return report.RCA(in)
}

// ReportInput gathers what the document builders read from an incident's detail and its action
// items: every timeline event with its label, the whys, the logs, the images as figures served
// at /images/{id}, and the action items with their owners.
func ReportInput(d *IssueDetail, items []*ActionItem, now time.Time) report.Input {
	is := d.Issue
	in := report.Input{
		ID: orRef(is), Title: is.Title, Description: is.Description, Severity: is.Severity.Label(),
		Category: is.Category.Label(), Status: is.Status.Label(), Resolved: is.Status.Done(),
		Assignee: is.AssigneeName, CreatedBy: is.CreatedByName, CreatedAt: is.CreatedAt,
		UpdatedAt: is.UpdatedAt, ResolvedAt: is.ResolvedAt, Now: now.UTC(),
		StartedAt: is.StartedAt, DetectedAt: is.DetectedAt, MitigatedAt: is.MitigatedAt,
	}
	for _, e := range d.TimelineEvents {
		in.Events = append(in.Events, report.Event{At: e.At(), Type: e.EventType,
			Label: EventLabel(e.EventType), Description: e.Description, Actor: e.ActorName})
	}
	for _, w := range d.ResolutionSteps {
		in.Whys = append(in.Whys, report.Why{Number: w.WhyNumber, Question: w.Question, Answer: w.Answer, Evidence: w.Evidence})
	}
	for _, l := range d.LogFiles {
		in.Logs = append(in.Logs, report.Log{Name: l.FileName, Size: FormatBytes(l.SizeBytes), Redacted: l.Redacted, Hash: l.ContentHash})
	}
	for _, img := range d.ImageAttachments {
		caption := img.FileName
		if img.UploadedByName != "" {
			caption += " — uploaded by " + img.UploadedByName + " on " + img.UploadedAt.UTC().Format("2006-01-02 15:04 UTC")
		}
		in.Images = append(in.Images, report.Image{URL: ImageURL(img.ID), Name: img.FileName, Caption: caption})
	}
	for _, a := range items {
		in.Actions = append(in.Actions, report.Action{Priority: string(a.Priority), Action: a.Action,
			Owner: a.OwnerName, Due: a.DueDate, Status: a.Status.Label()})
	}
	return in
}

// ImageURL is where the portal serves an image's bytes; documents refer to images by it.
func ImageURL(id string) string { return "/images/" + id }

// orRef is how a document names the incident: its human id, or its uuid before it had one.
func orRef(is *Issue) string {
	if is.Ref != "" {
		return is.Ref
	}
	return is.ID
}
