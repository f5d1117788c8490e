package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"tftsr/db"
	"tftsr/domain"
)

// auditCheckpointInterval is how often the portal signs a checkpoint of the audit chain's head
// (when it moved): the most an attacker who cuts the log short can hide without the cut
// reaching a stored checkpoint.
const auditCheckpointInterval = 10 * time.Minute

// auditUsage is the usage of `tftsr audit`.
const auditUsage = "usage: tftsr audit verify [--checkpoint LINE|FILE]... | tftsr audit checkpoint"

// runAudit is `tftsr audit verify` and `tftsr audit checkpoint`.
func runAudit(ctx context.Context, cfg config, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(auditUsage)
	}
	switch args[0] {
	case "verify":
		return runAuditVerify(ctx, cfg, args[1:], stdin, stdout)
	case "checkpoint":
		if len(args) != 1 {
			return errors.New(auditUsage)
		}
		database, err := openDB(ctx, cfg)
		if err != nil {
			return err
		}
		defer database.Close()
		cp, err := db.NewAuditService(database).WriteAuditCheckpoint(domain.NewSystemContext(ctx, "cli"))
		if err != nil {
			return err
		}
		if cp == nil {
			return errors.New("the audit log is empty: there is nothing to checkpoint yet")
		}
		fmt.Fprintln(stdout, cp.Line())
		return nil
	}
	return errors.New(auditUsage)
}

// stringList is a repeatable flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ", ") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// runAuditVerify is `tftsr audit verify [--checkpoint LINE|FILE]...`. A --checkpoint that starts
// like a checkpoint line is one; anything else names a file of them ("-" for standard input),
// one a line, blank lines and # comments skipped.
func runAuditVerify(ctx context.Context, cfg config, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var given stringList
	fs.Var(&given, "checkpoint", "")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return errors.New(auditUsage)
	}
	var external []*domain.AuditCheckpoint
	for _, g := range given {
		cps, err := readCheckpoints(g, stdin)
		if err != nil {
			return cliError(err)
		}
		external = append(external, cps...)
	}
	database, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer database.Close()
	v, err := db.NewAuditService(database).VerifyAuditChainWith(domain.NewSystemContext(ctx, "cli"), external)
	if err != nil {
		return err
	}
	if v.OK {
		fmt.Fprintf(stdout, "ok %d entries, %d checkpoints\n", v.Entries, v.Checkpoints)
		return nil
	}
	if v.BrokenID != "" {
		fmt.Fprintf(stdout, "broken at entry %d (id %s): %s\n", v.BrokenSeq, v.BrokenID, v.Reason)
	} else {
		fmt.Fprintf(stdout, "broken at entry %d: %s\n", v.BrokenSeq, v.Reason)
	}
	return exitCode(1)
}

// readCheckpoints returns the checkpoint of a line, or the checkpoints in the file it names.
func readCheckpoints(arg string, stdin io.Reader) ([]*domain.AuditCheckpoint, error) {
	if strings.HasPrefix(strings.TrimSpace(arg), "tftsr-audit-checkpoint") {
		cp, err := domain.ParseAuditCheckpoint(arg)
		if err != nil {
			return nil, err
		}
		return []*domain.AuditCheckpoint{cp}, nil
	}
	r := stdin
	if arg != "-" {
		f, err := os.Open(arg)
		if err != nil {
			return nil, fmt.Errorf("reading checkpoints: %w", err)
		}
		defer f.Close()
		r = f
	}
	var cps []*domain.AuditCheckpoint
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cp, err := domain.ParseAuditCheckpoint(line)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %s", arg, n, domain.ErrorMessage(err))
		}
		cps = append(cps, cp)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading checkpoints: %w", err)
	}
	if len(cps) == 0 {
		return nil, fmt.Errorf("%s holds no checkpoint lines", arg)
	}
	return cps, nil
}

// checkpointLoop signs a checkpoint of the audit chain now and then every interval until ctx
// is done. The first one vouches for the chain as the portal found it, which includes the
// unkeyed entries of an install made before the chain was keyed.
func checkpointLoop(ctx context.Context, audit *db.AuditService, interval time.Duration, logger *slog.Logger) {
	sys := domain.NewSystemContext(ctx, "checkpoint")
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := audit.WriteAuditCheckpoint(sys); err != nil && ctx.Err() == nil {
			logger.Warn("writing an audit checkpoint", slog.Any("err", err))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
