package db_test

import (
	"context"
	"testing"

	"tftsr/db"
	"tftsr/domain"
)

func TestAuditRecorder_RecordAudit(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	admin, adminCtx := MustCreateUser(t, s, domain.RoleAdmin)
	r := db.NewAuditRecorder(s.DB)
	if err := r.RecordAudit(adminCtx, "ollama.model_delete", "ollama_model", "llama3.2:1b", map[string]any{"url": "http://x:11434"}); err != nil {
		t.Fatal(err)
	}
	var actor, details string
	if err := s.DB.Pool.QueryRow(context.Background(),
		`SELECT actor_id::text, details::text FROM audit_log WHERE action = 'ollama.model_delete' AND entity_id = 'llama3.2:1b'`).Scan(&actor, &details); err != nil {
		t.Fatal(err)
	}
	if actor != admin.ID || details != `{"url":"http://x:11434"}` {
		t.Fatalf("actor %s details %s", actor, details)
	}
	v, err := s.Audit.VerifyAuditChain(adminCtx)
	if err != nil || !v.OK {
		t.Fatalf("chain: %+v %v", v, err)
	}
}
