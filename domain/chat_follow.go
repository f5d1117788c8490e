package domain

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// replyRun is a reply being produced in this process, shared by everyone following it: the text
// so far, a signal for each follower when more arrives, and the outcome once it is stored.
type replyRun struct {
	mu      sync.Mutex
	text    strings.Builder
	waiters map[chan struct{}]bool
	done    chan struct{}
	msg     *ConversationMessage
	err     error
}

// notify wakes every follower without blocking: a signal is a hint to read the text again.
func (r *replyRun) notify() {
	for ch := range r.waiters {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// ReplyFollower follows a reply being produced. Read returns the text that arrived since the last
// call; Wait blocks until more arrives, the reply ends or ctx ends.
type ReplyFollower struct {
	run    *replyRun
	wake   chan struct{}
	offset int
}

// Read returns the text that arrived since the last Read (the whole text so far, the first time).
func (f *ReplyFollower) Read() string {
	f.run.mu.Lock()
	defer f.run.mu.Unlock()
	s := f.run.text.String()[f.offset:]
	f.offset += len(s)
	return s
}

// Wait blocks until more text arrives (true), or the reply is stored or ctx ends (false).
func (f *ReplyFollower) Wait(ctx context.Context) bool {
	// Text that arrived is reported before the end, even when both are there.
	select {
	case <-f.wake:
		return true
	default:
	}
	select {
	case <-f.wake:
		return true
	case <-f.run.done:
		return false
	case <-ctx.Done():
		return false
	}
}

// Result returns the stored reply once Done is closed.
func (f *ReplyFollower) Result() (*ConversationMessage, error) {
	<-f.run.done
	return f.run.msg, f.run.err
}

// Done is closed when the reply has been stored.
func (f *ReplyFollower) Done() <-chan struct{} { return f.run.done }

// Close stops following; the reply goes on.
func (f *ReplyFollower) Close() {
	f.run.mu.Lock()
	delete(f.run.waiters, f.wake)
	f.run.mu.Unlock()
}

// Follow follows the pending reply messageID, starting to produce it when no one in this process
// is: the reply is produced in the background and does not depend on who follows it, so a page that
// re-renders, a second tab or a teammate on the same incident all see the same reply as it arrives,
// and leaving the page does not cut it off (Stop does). Starting a reply takes the responder role;
// anyone who can read the incident can follow one that is running. A reply already finished is
// returned at once by a follower whose Done is closed.
func (s *ChatService) Follow(ctx context.Context, messageID string) (*ReplyFollower, error) {
	if err := Require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	msg, err := s.store.FindChatMessage(ctx, messageID)
	if err != nil {
		return nil, err
	}
	if msg.Role != RoleAssistant {
		return nil, Errorf(ENOTFOUND, "Reply not found.")
	}
	s.mu.Lock()
	run := s.runs[messageID]
	if run == nil {
		if msg.Status != MessageStreaming {
			s.mu.Unlock()
			run = &replyRun{done: make(chan struct{}), msg: msg}
			close(run.done)
			return run.follower(), nil
		}
		if err := Require(ctx, RoleResponder); err != nil {
			s.mu.Unlock()
			return nil, Errorf(ECONFLICT, "This reply has not been written yet. Reload the page to see it later.")
		}
		run = &replyRun{done: make(chan struct{}), waiters: map[chan struct{}]bool{}}
		if s.runs == nil {
			s.runs = map[string]*replyRun{}
		}
		s.runs[messageID] = run
		// The reply outlives the request that started it, with the same person's identity.
		bg := context.WithoutCancel(ctx)
		go func() {
			var m *ConversationMessage
			err := func() (err error) {
				// A reply runs outside any request: a panic in it must not take the portal down.
				defer func() {
					if p := recover(); p != nil {
						err = fmt.Errorf("producing reply %s: panic: %v", messageID, p)
						// Stored as failed, so that it is not produced again on the next view.
						ctx, cancel := context.WithTimeout(bg, 30*time.Second)
						defer cancel()
						if fm, ferr := s.store.FinishChatReply(ctx, ChatReply{MessageID: messageID, Status: MessageError,
							Error: "The reply failed inside the portal. Retry, or report it if it happens again."}); ferr == nil {
							m = fm
						}
					}
				}()
				m, err = s.Stream(bg, messageID, func(tok string) error {
					run.mu.Lock()
					run.text.WriteString(tok)
					run.notify()
					run.mu.Unlock()
					return nil
				})
				return err
			}()
			s.mu.Lock()
			delete(s.runs, messageID)
			s.mu.Unlock()
			run.mu.Lock()
			run.msg, run.err = m, err
			run.mu.Unlock()
			close(run.done)
		}()
	}
	s.mu.Unlock()
	return run.follower(), nil
}

func (r *replyRun) follower() *ReplyFollower {
	f := &ReplyFollower{run: r, wake: make(chan struct{}, 1)}
	r.mu.Lock()
	if r.waiters != nil {
		r.waiters[f.wake] = true
	}
	r.mu.Unlock()
	return f
}

// Shutdown stops the replies being produced in this process, as Stop does — each is stored
// incomplete with its partial text — and waits until they are stored or ctx ends.
func (s *ChatService) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	for _, cancel := range s.running {
		cancel()
	}
	var runs []*replyRun
	for _, r := range s.runs {
		runs = append(runs, r)
	}
	s.mu.Unlock()
	for _, r := range runs {
		select {
		case <-r.done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
