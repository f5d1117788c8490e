package handlers

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"tftsr/domain"
	"tftsr/views"
)

// streamRenderInterval is the least time between two renderings of a reply being written.
const streamRenderInterval = 50 * time.Millisecond

// handleChatSend stores a typed message (redacted) and returns its bubble and the reply bubble
// that opens the reply's event stream.
func (s *Server) handleChatSend(c echo.Context) error {
	chat := s.chat
	user, reply, err := chat.Send(c.Request().Context(), c.Param("id"), c.FormValue("message"), c.FormValue("config"))
	if err != nil {
		return err
	}
	startReply(c, chat, reply.ID)
	s.rememberProvider(c, c.FormValue("config"))
	return render(c, http.StatusOK, views.ChatTurn(user, reply))
}

// preferredProvider returns the provider the user's chat pre-selects among cfgs. A stored choice
// that cannot be read is logged, not an error of the page: the choice falls back.
func (s *Server) preferredProvider(ctx context.Context, cfgs []*domain.ProviderConfig) string {
	name, err := s.ai.PreferredProvider(ctx, cfgs)
	if err != nil {
		s.logger.Warn("read the preferred AI provider", "err", err)
	}
	return name
}

// rememberProvider stores the provider the user just sent a message or an analysis with, to
// pre-select it next time. Failing to store it does not fail what was sent.
func (s *Server) rememberProvider(c echo.Context, name string) {
	if name == "" {
		return
	}
	if err := s.ai.RememberProvider(c.Request().Context(), name); err != nil {
		s.logger.Warn("remember the chosen AI provider", "err", err)
	}
}

// startReply starts producing a pending reply in the background as soon as it is asked for, so
// that the provider is called while the page receives the bubble and opens its event stream,
// which then follows the reply. A reply that cannot start now starts when the stream opens.
func startReply(c echo.Context, chat *domain.ChatService, replyID string) {
	if f, err := chat.Follow(c.Request().Context(), replyID); err == nil {
		f.Close()
	}
}

// handleChatStop stops a reply being written; its partial text is kept, marked incomplete.
func (s *Server) handleChatStop(c echo.Context) error {
	chat := s.chat
	if err := chat.Stop(c.Request().Context(), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// renderString renders a component for an event's data.
func renderString(ctx context.Context, comp templ.Component) (string, error) {
	var buf bytes.Buffer
	if err := comp.Render(ctx, &buf); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// handleChatStream streams a reply as server-sent events: "token" events, each the reply so far
// rendered as sanitised Markdown (at most one per streamRenderInterval), which replaces the
// streaming body, then one "done" event whose data is the final bubble, which replaces the
// streaming one. The reply is produced
// in the background: a page that re-renders or a second viewer follows the same reply, and a client
// that leaves does not cut it off (Stop does). A reply already finished gets its done event at once.
func (s *Server) handleChatStream(c echo.Context) error {
	chat := s.chat
	ctx := c.Request().Context()
	id := c.Param("id")
	f, err := chat.Follow(ctx, id)
	if err != nil && domain.ErrorCode(err) != domain.ECONFLICT {
		return err
	}
	w := startSSE(c)
	if err != nil {
		return s.sendChatDone(c, w, id, nil, err, false)
	}
	defer f.Close()
	// A reply that finishes while this stream follows it may have changed the incident.
	live := true
	select {
	case <-f.Done():
		live = false
	default:
	}
	stop := w.heartbeat(sseHeartbeat)
	var text strings.Builder
	var last time.Time
follow:
	for {
		if more := f.Read(); more != "" {
			text.WriteString(more)
			// At most one rendering per interval: what arrives meanwhile goes with the next.
			if wait := streamRenderInterval - time.Since(last); wait > 0 {
				select {
				case <-time.After(wait):
				case <-ctx.Done():
					stop()
					return nil
				}
				text.WriteString(f.Read())
			}
			last = time.Now()
			html, err := renderString(ctx, views.ChatStreamBody(text.String()))
			if err != nil || w.event("token", html) != nil {
				stop()
				return nil
			}
		}
		if !f.Wait(ctx) {
			select {
			case <-f.Done():
				// Text that arrived just before the end is in the final bubble.
				break follow
			default:
				stop()
				return nil // the client left; the reply goes on
			}
		}
	}
	stop()
	msg, err := f.Result()
	if err != nil && msg != nil {
		// The reply failed inside the portal and was stored so: show it as stored.
		s.logger.Error("chat stream", "err", err)
		err = nil
	}
	return s.sendChatDone(c, w, id, msg, err, live)
}

// sendChatDone sends the done event: the final bubble of the reply, or an error bubble. With
// refresh, the bubble brings ChatRefresh, which updates what the reply may have changed on the
// page (the status when triage started, the why level, the timeline).
func (s *Server) sendChatDone(c echo.Context, w *sseWriter, id string, msg *domain.ConversationMessage, err error, refresh bool) error {
	ctx := c.Request().Context()
	var final templ.Component
	if err != nil {
		msgText := domain.ErrorMessage(err)
		if domain.ErrorCode(err) == domain.EINTERNAL {
			s.logger.Error("chat stream", "err", err)
			msgText = "Internal error."
		}
		final = views.ChatErrorBubble(id, msgText)
	} else if refresh {
		final = templ.Join(views.ChatBubble(msg), views.ChatRefresh(msg.IssueID))
	} else {
		final = views.ChatBubble(msg)
	}
	html, err := renderString(ctx, final)
	if err != nil {
		return nil
	}
	_ = w.event("done", html)
	return nil
}

// apiChatRequest is the body of POST /api/v1/issues/{id}/chat.
type apiChatRequest struct {
	Message string `json:"message"`
	Config  string `json:"config"`
	// SystemPrompt is added to the system message of this message's answer.
	SystemPrompt string `json:"system_prompt"`
}

// apiChatResponse is the answer of POST /api/v1/issues/{id}/chat, and the data of its done event.
type apiChatResponse struct {
	ConversationID string                      `json:"conversation_id"`
	UserMessage    *domain.ConversationMessage `json:"user_message"`
	Reply          *domain.ConversationMessage `json:"reply"`
	WhyLevel       int                         `json:"why_level"`
	PIIRedacted    bool                        `json:"pii_redacted"`
	PIITypes       []string                    `json:"pii_types"`
}

// piiTypes are the PII types removed from a message, [] rather than null when there are none.
func piiTypes(m *domain.ConversationMessage) []string {
	if m.PIITypes == nil {
		return []string{}
	}
	return m.PIITypes
}
