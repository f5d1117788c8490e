package domain

import "context"

// Retry asks again for a reply that was stopped, cut off or failed: the reply is put back to
// pending in its place in the history (its partial text is dropped) and is produced by Stream,
// like a new one. A reply that is complete or still being written cannot be retried.
func (s *ChatService) Retry(ctx context.Context, messageID string) (*ConversationMessage, error) {
	if err := Require(ctx, RoleResponder); err != nil {
		return nil, err
	}
	if s.Running(messageID) {
		return nil, Errorf(ECONFLICT, "This reply is still being written.")
	}
	return s.store.RetryChatReply(ctx, messageID)
}
