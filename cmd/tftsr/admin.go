package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"tftsr/db"
	"tftsr/domain"
)

// openDB opens the database for a command-line tool, its audit chain keyed with the portal's
// master key. A tool never creates the key file: a key of its own would make what it writes to
// the audit log, and every entry it checks, look forged.
func openDB(ctx context.Context, cfg config) (*db.DB, error) {
	key, err := masterKey(cfg, slog.New(slog.DiscardHandler), false)
	if err != nil {
		return nil, err
	}
	keys, err := domain.NewAuditKeys(key)
	if err != nil {
		return nil, err
	}
	database, err := db.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	database.AuditKeys = keys
	return database, nil
}

// migrateUp applies the pending migrations as the role of TFTSR_MIGRATE_DATABASE_URL.
func migrateUp(ctx context.Context, cfg config) error {
	database, err := db.Open(ctx, cfg.MigrateDatabaseURL)
	if err != nil {
		return err
	}
	defer database.Close()
	_, err = database.Migrate(ctx, "up")
	return err
}

// runMigrate is `tftsr migrate up|down|status`.
func runMigrate(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	if len(args) != 1 || !oneOf(args[0], "up", "down", "status") {
		return errors.New("usage: tftsr migrate up|down|status")
	}
	database, err := db.Open(ctx, cfg.MigrateDatabaseURL)
	if err != nil {
		return err
	}
	defer database.Close()
	lines, err := database.Migrate(ctx, strings.ToLower(args[0]))
	for _, l := range lines {
		fmt.Fprintln(stdout, l)
	}
	return err
}

// runUser is `tftsr user create --username U --role R --password-stdin`.
func runUser(ctx context.Context, cfg config, args []string, stdin io.Reader, stdout io.Writer) error {
	const use = "usage: tftsr user create --username U --role admin|responder|viewer --password-stdin [--display-name N]\n" +
		"       tftsr user link-sso --username U --subject SUB [--issuer URL]"
	if len(args) > 0 && args[0] == "link-sso" {
		return runUserLinkSSO(ctx, cfg, args[1:], stdout, use)
	}
	if len(args) == 0 || args[0] != "create" {
		return errors.New(use)
	}
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	username := fs.String("username", "", "")
	role := fs.String("role", "", "")
	display := fs.String("display-name", "", "")
	fromStdin := fs.Bool("password-stdin", false, "")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 || *username == "" || *role == "" || !*fromStdin {
		return errors.New(use)
	}
	password, err := bufio.NewReader(io.LimitReader(stdin, domain.MaxPasswordLen+2)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	password = strings.TrimRight(password, "\r\n")
	database, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer database.Close()
	u, err := db.NewUserService(database).CreateUser(domain.NewSystemContext(ctx, "cli"), domain.NewUser{
		Username: *username, DisplayName: *display, Role: domain.Role(*role), Password: password,
	})
	if err != nil {
		return cliError(err)
	}
	fmt.Fprintf(stdout, "created user %s (%s) with id %s\n", u.Username, u.Role, u.ID)
	return nil
}

// runUserLinkSSO is `tftsr user link-sso --username U --subject SUB [--issuer URL]`: the person
// with that subject at the provider (TFTSR_OIDC_ISSUER unless --issuer says otherwise) then
// signs in to the existing account U through single sign-on.
func runUserLinkSSO(ctx context.Context, cfg config, args []string, stdout io.Writer, use string) error {
	fs := flag.NewFlagSet("user link-sso", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	username := fs.String("username", "", "")
	subject := fs.String("subject", "", "")
	issuer := fs.String("issuer", cfg.OIDC.Issuer, "")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 || *username == "" || *subject == "" {
		return errors.New(use)
	}
	if *issuer == "" {
		return errors.New("user link-sso needs the issuer: set TFTSR_OIDC_ISSUER or pass --issuer")
	}
	database, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer database.Close()
	if err := db.NewUserService(database).LinkExternalIdentity(domain.NewSystemContext(ctx, "cli"), *username, *issuer, *subject); err != nil {
		return cliError(err)
	}
	fmt.Fprintf(stdout, "linked %s to subject %s at %s\n", *username, *subject, *issuer)
	return nil
}

// runToken is `tftsr token create --username U [--name N] [--scope read|write]
// [--expires-days D|never]`; it prints only the token. The token is read-write and expires in
// 90 days unless the flags say otherwise.
func runToken(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	const use = "usage: tftsr token create --username U [--name N] [--scope read|write] [--expires-days D|never]"
	if len(args) == 0 || args[0] != "create" {
		return errors.New(use)
	}
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	username := fs.String("username", "", "")
	name := fs.String("name", "cli", "")
	scope := fs.String("scope", string(domain.TokenWrite), "")
	expires := fs.String("expires-days", "90", "")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 || *username == "" {
		return errors.New(use)
	}
	nt := domain.NewToken{Name: *name, Scope: domain.TokenScope(*scope)}
	if *expires == "never" {
		nt.NeverExpires = true
	} else if days, err := strconv.Atoi(*expires); err == nil && days > 0 {
		nt.Lifetime = time.Duration(days) * 24 * time.Hour
	} else {
		return errors.New(use)
	}
	database, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer database.Close()
	users := db.NewUserService(database)
	sys := domain.NewSystemContext(ctx, "cli")
	u, err := users.FindUserByUsername(sys, *username)
	if err != nil {
		return cliError(err)
	}
	token, _, err := users.CreateToken(sys, u.ID, nt)
	if err != nil {
		return cliError(err)
	}
	fmt.Fprintln(stdout, token)
	return nil
}

// cliError turns a domain error into a message with its field details.
func cliError(err error) error {
	if domain.ErrorCode(err) == domain.EINTERNAL {
		return err
	}
	msg := domain.ErrorMessage(err)
	for field, m := range domain.ErrorFields(err) {
		msg += fmt.Sprintf("\n  %s: %s", field, m)
	}
	return errors.New(msg)
}
