package views

import "strconv"

// IssueTabsID is the id of the incident page's tab bar; IssuePanelID of the active tab's panel.
const (
	IssueTabsID  = "issue-tabs"
	IssuePanelID = "issue-panel"
)

// IssueTab is a tab of the incident page, named by the last segment of its URL; the Overview
// is the incident's own URL.
type IssueTab string

// The incident page's tabs.
const (
	TabOverview    IssueTab = ""
	TabTimeline    IssueTab = "timeline"
	TabFiveWhys    IssueTab = "five-whys"
	TabChat        IssueTab = "chat"
	TabLogs        IssueTab = "logs"
	TabImages      IssueTab = "images"
	TabDocuments   IssueTab = "documents"
	TabActionItems IssueTab = "action-items"
)

// IssueTabs are the incident page's tabs in the order the tab bar shows them.
var IssueTabs = []IssueTab{TabOverview, TabTimeline, TabFiveWhys, TabChat, TabLogs, TabImages, TabDocuments, TabActionItems}

// ParseIssueTab returns the tab a URL segment names ("" is the Overview), and whether it names one.
func ParseIssueTab(s string) (IssueTab, bool) {
	for _, t := range IssueTabs {
		if string(t) == s {
			return t, true
		}
	}
	return TabOverview, false
}

// Label is the tab's name in the tab bar.
func (t IssueTab) Label() string {
	switch t {
	case TabTimeline:
		return "Timeline"
	case TabFiveWhys:
		return "5-Whys"
	case TabChat:
		return "Chat"
	case TabLogs:
		return "Logs"
	case TabImages:
		return "Images"
	case TabDocuments:
		return "Documents"
	case TabActionItems:
		return "Action items"
	}
	return "Overview"
}

// Slug is the tab's name in ids and test ids: its URL segment, "overview" for the Overview.
func (t IssueTab) Slug() string {
	if t == TabOverview {
		return "overview"
	}
	return string(t)
}

// TabID is the DOM id of the tab's link in the tab bar.
func (t IssueTab) TabID() string { return "tab-" + t.Slug() }

// IssueTabPath is the URL of an incident's tab.
func IssueTabPath(issueID string, t IssueTab) string {
	if t == TabOverview {
		return path("/issues/", issueID)
	}
	return path("/issues/", issueID, "/"+string(t))
}

func (p IssuePageProps) tabURL(t IssueTab) string { return IssueTabPath(p.issue().ID, t) }

// tabCount is the count a tab shows beside its name, "" for none: how many entries the tab
// holds, open action items for Action items, and the whys asked of five.
func (p IssuePageProps) tabCount(t IssueTab) string {
	n := p.Detail.Counts
	if n == nil {
		return ""
	}
	count := func(v int) string {
		if v == 0 {
			return ""
		}
		return strconv.Itoa(v)
	}
	switch t {
	case TabFiveWhys:
		if n.Whys == 0 {
			return ""
		}
		return strconv.Itoa(n.Whys) + "/5"
	case TabChat:
		return count(n.Messages)
	case TabLogs:
		return count(n.Logs)
	case TabImages:
		return count(n.Images)
	case TabDocuments:
		return count(n.Documents)
	case TabActionItems:
		if n.OpenActionItems == 0 {
			return ""
		}
		return strconv.Itoa(n.OpenActionItems) + " open"
	}
	return ""
}

func boolAttr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func tabIndex(selected bool) string {
	if selected {
		return "0"
	}
	return "-1"
}

// plural is n with the noun, in the plural unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
