package digest

import "time"

// Kind tells a line template from a stack trace.
type Kind string

// The kinds of templates.
const (
	KindLine       Kind = "line"
	KindStackTrace Kind = "stacktrace"
)

// cluster is a template being mined: its tokens and what was seen of its lines.
type cluster struct {
	tokens      []string
	kind        Kind
	level       Level
	count       int
	firstLine   int
	lastLine    int
	firstSeen   time.Time
	lastSeen    time.Time
	seen        bool
	example     []byte
	exampleLine int
}

// sighting is one line (or trace) of a cluster.
type sighting struct {
	line  int
	at    time.Time
	hasAt bool
	level Level
}

// note records a sighting.
func (c *cluster) note(s sighting) {
	if c.count == 0 {
		c.firstLine, c.level = s.line, s.level
	}
	c.count++
	c.lastLine = s.line
	c.level = c.level.worse(s.level)
	if s.hasAt {
		if !c.seen || s.at.Before(c.firstSeen) {
			c.firstSeen = s.at
		}
		if !c.seen || s.at.After(c.lastSeen) {
			c.lastSeen = s.at
		}
		c.seen = true
	}
}

// node is a node of the prefix tree: children by token, or the clusters of a leaf.
type node struct {
	children map[string]*node
	clusters []*cluster
}

// child returns the child for a token, the wildcard child when the token is variable or
// unknown; create adds it, or uses the wildcard child once the node has maxChildren.
func (n *node) child(t token, create bool, maxChildren int) *node {
	if !t.variable() {
		if c := n.children[string(t.raw)]; c != nil {
			return c
		}
	}
	if !create {
		return n.children[Wildcard]
	}
	key := Wildcard
	if !t.variable() && len(n.children) < maxChildren {
		key = string(t.raw)
	}
	if n.children == nil {
		n.children = map[string]*node{}
	}
	c := n.children[key]
	if c == nil {
		c = &node{}
		n.children[key] = c
	}
	return c
}

// similarity scores how well toks fit a template: the share of positions that read the
// same, wildcards not counted. It gives up (returning -1) once more than misses positions
// differ.
func similarity(tmpl []string, toks []token, misses int) (float64, int) {
	same, wild := 0, 0
	for i, s := range tmpl {
		switch {
		case s == Wildcard:
			wild++
			misses--
		case toks[i].is(s):
			same++
		default:
			misses--
		}
		if misses < 0 {
			return -1, 0
		}
	}
	return float64(same) / float64(len(tmpl)), wild
}

// merge generalises the positions where toks differ from the template.
func (c *cluster) merge(toks []token) {
	for i, s := range c.tokens {
		if s != Wildcard && !toks[i].is(s) {
			c.tokens[i] = Wildcard
		}
	}
}
