// Package triage holds the text side of TFTSR's AI triage with the 5-Whys method: the triage
// assistant's persona and the prompt of each incident category, the assembly of a triage
// chat's system message from the incident's facts, and the parsers of what replies say: the
// why level and root cause they reach (ParseWhyProgress), the why answers they propose
// (ParseWhyProposals) and the log lines they cite (ParseCitations, FindCitations), with the
// limits on a why's fields that both the parsers and the stored 5-Whys use. It is pure: it
// imports only the standard library and nothing of the module, and domain builds its inputs.
package triage
