package domain_test

import (
	"errors"
	"testing"

	"tftsr/domain"
)

// A reply that failed is asked for again in its place: the same message, pending, then complete
// with the new text; the request is the same history as the first time.
func TestChatService_Retry(t *testing.T) {
	f := newChatFixture(t)
	f.model.err = errors.New("connection reset")
	f.model.tokens = nil
	_, failed, _ := f.turn(t, "Why is the queue stuck?")
	if failed.Status != domain.MessageError {
		t.Fatalf("first reply = %+v", failed)
	}
	f.model.err, f.model.tokens = nil, []string{"Why 1: the consumer crashed."}

	again, err := f.svc.Retry(f.ctx, failed.ID)
	if err != nil {
		t.Fatalf("Retry: %v", err)
	}
	if again.ID != failed.ID || again.Status != domain.MessageStreaming || again.Content != "" || again.Error != "" {
		t.Fatalf("retried reply = %+v", again)
	}
	done, err := f.svc.Stream(f.ctx, again.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != domain.MessageComplete || done.Content != "Why 1: the consumer crashed." || done.WhyLevel != 1 {
		t.Fatalf("reply after retry = %+v", done)
	}
	if len(f.model.reqs) != 2 || len(f.model.reqs[1].Messages) != len(f.model.reqs[0].Messages) {
		t.Fatalf("requests %d; the retry must send the same history", len(f.model.reqs))
	}

	// A complete reply cannot be retried; a user message is not a reply; a viewer cannot retry.
	if _, err := f.svc.Retry(f.ctx, done.ID); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("retry of a complete reply: %v", err)
	}
	viewer := domain.NewContextWithUser(f.ctx, &domain.User{ID: "v1", Username: "vic", Role: domain.RoleViewer})
	if _, err := f.svc.Retry(viewer, done.ID); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("viewer retry: %v", err)
	}
}
