package views

import (
	"context"
	"io"

	"github.com/a-h/templ"

	"tftsr/domain"
	"tftsr/domain/triage"
)

// incidentWhysKey is the context key of the incident's 5-Whys while its chat history renders.
type incidentWhysKey struct{}

// withIncidentWhys renders c knowing the incident's 5-Whys, so that a reply's proposals that the
// 5-Whys already hold show as accepted, after a reload too.
func withIncidentWhys(steps []*domain.FiveWhy, c templ.Component) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		return c.Render(context.WithValue(ctx, incidentWhysKey{}, steps), w)
	})
}

// proposalAccepted reports whether the incident's 5-Whys, as withIncidentWhys gave them, hold
// the proposal (domain.ProposalAccepted).
func proposalAccepted(ctx context.Context, p triage.WhyProposal) bool {
	steps, _ := ctx.Value(incidentWhysKey{}).([]*domain.FiveWhy)
	return domain.ProposalAccepted(p, steps)
}
