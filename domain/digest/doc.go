// Package digest turns a log into a compact digest: a Drain-style template miner groups the
// lines into templates (variable tokens such as numbers, ids and addresses masked), each with
// its count, first and last sighting, severity and one redacted example; stack traces are
// grouped into one entry each. Memory stays bounded whatever the size of the log.
package digest
