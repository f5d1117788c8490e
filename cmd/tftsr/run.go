package main

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// exitCode is an error that only sets the process's exit status; whatever was to be said has
// been printed.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

const usage = `usage: tftsr <command> [arguments]

commands:
  serve [--addr HOST:PORT] [--no-migrate]   run the portal
  migrate up|down|status                    apply, undo or list database migrations
  user create --username U --role R --password-stdin [--display-name N]
  token create --username U [--name N] [--scope read|write] [--expires-days D|never]
                                            print a new personal access token
  pii scan [--json] [FILE|-]                print the PII spans found in a file
  pii redact [FILE|-]                       print a file with its PII replaced by tokens
  audit verify [--checkpoint LINE|FILE]...  check the audit log's keyed chain and its checkpoints
  audit checkpoint                          sign a checkpoint of the audit log; print it to keep elsewhere
  backup FILE|-                             write the database and every object into one archive
  restore [--force] FILE|-                  restore a backup into an empty database and bucket

Settings come from the environment (DATABASE_URL, TFTSR_MIGRATE_DATABASE_URL, TFTSR_DB_KEY,
TFTSR_S3_*, TFTSR_ADDR, …); see README.md.
`

// run is the whole program: it parses args (without the program name), reads settings through
// getenv and talks through the given streams, so tests can run it in-process.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitCode(2)
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, cfg, args[1:], stdout, stderr)
	case "migrate":
		return runMigrate(ctx, cfg, args[1:], stdout)
	case "user":
		return runUser(ctx, cfg, args[1:], stdin, stdout)
	case "token":
		return runToken(ctx, cfg, args[1:], stdout)
	case "pii":
		return runPII(args[1:], stdin, stdout)
	case "audit":
		return runAudit(ctx, cfg, args[1:], stdin, stdout)
	case "backup":
		return runBackup(ctx, cfg, args[1:], stdout, stderr)
	case "restore":
		return runRestore(ctx, cfg, args[1:], stdin, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "tftsr: unknown command %q\n\n%s", args[0], usage)
	return exitCode(2)
}

// oneOf reports whether s is one of the options, for argument checks.
func oneOf(s string, options ...string) bool {
	for _, o := range options {
		if strings.EqualFold(s, o) {
			return true
		}
	}
	return false
}
