package ui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/muesli/termenv"
)

// Theme is the palette, as adaptive colours (light and dark backgrounds).
type Theme struct {
	Accent, Muted, Border         lipgloss.AdaptiveColor
	Done, Failed, Cancelled, Busy lipgloss.AdaptiveColor
	BarEmpty, SelectedBg          lipgloss.AdaptiveColor
	Warn                          lipgloss.AdaptiveColor
}

// DefaultTheme works on light and dark terminals.
func DefaultTheme() Theme {
	return Theme{
		Accent:     lipgloss.AdaptiveColor{Light: "#005FAF", Dark: "#5FAFFF"},
		Muted:      lipgloss.AdaptiveColor{Light: "#6C6C6C", Dark: "#8A8A8A"},
		Border:     lipgloss.AdaptiveColor{Light: "#B2B2B2", Dark: "#4E4E4E"},
		Done:       lipgloss.AdaptiveColor{Light: "#007F00", Dark: "#5FD75F"},
		Failed:     lipgloss.AdaptiveColor{Light: "#C00000", Dark: "#FF5F5F"},
		Cancelled:  lipgloss.AdaptiveColor{Light: "#8A6D00", Dark: "#D7AF5F"},
		Busy:       lipgloss.AdaptiveColor{Light: "#005FAF", Dark: "#5FAFFF"},
		BarEmpty:   lipgloss.AdaptiveColor{Light: "#D0D0D0", Dark: "#3A3A3A"},
		SelectedBg: lipgloss.AdaptiveColor{Light: "#D7E7FF", Dark: "#26344A"},
		Warn:       lipgloss.AdaptiveColor{Light: "#AF5F00", Dark: "#FFAF5F"},
	}
}

// paint is a style reduced to the escape sequences around its text, for
// hot paths: applying it is two concatenations, with no measuring or
// wrapping (lipgloss's Render does both on every call).
type paint struct{ pre, post string }

func paintOf(s lipgloss.Style) paint {
	r := s.Render("X")
	i := strings.Index(r, "X")
	if i < 0 {
		return paint{}
	}
	return paint{pre: r[:i], post: r[i+1:]}
}

// SGR sequences the styles write themselves.
const (
	reverseOn  = "\x1b[7m"
	reverseOff = "\x1b[27m"
	faintOn    = "\x1b[2m"
	faintOff   = "\x1b[22m"
	resetSGR   = "\x1b[0m"
)

// around applies the paint to a whole line that holds painted cells,
// renewing it after each reset inside so the cells keep its background.
func (p paint) around(line string) string {
	if p.pre == "" && p.post == "" {
		return line
	}
	return p.pre + strings.ReplaceAll(line, resetSGR, resetSGR+p.pre) + p.post
}

// write writes text with the paint to b.
func (p paint) write(b *strings.Builder, text string) {
	b.WriteString(p.pre)
	b.WriteString(text)
	b.WriteString(p.post)
}

// on applies the paint to one line of text.
func (p paint) on(text string) string {
	if p.pre == "" && p.post == "" {
		return text
	}
	return p.pre + text + p.post
}

// Styles are built once from a Theme; View only applies them.
type Styles struct {
	// Paints for the table's hot path. A state's text and its bars share
	// the class colour.
	cursorP, selectedP, barEmptyP, warnP paint
	// oldP dims what is shown from an earlier read (SGR faint, which is
	// not a colour: it holds under NO_COLOR too).
	oldP   paint
	classP map[graphapi.StateClass]paint

	Title, Muted, Header, Label, Accent lipgloss.Style
	Selected, Cursor                    lipgloss.Style
	Rule                                lipgloss.Style
	Info, Success, Warn, Error          lipgloss.Style
}

// NewStyles renders theme with r (which knows the colour profile and the
// background).
func NewStyles(r *lipgloss.Renderer, t Theme) Styles {
	s := r.NewStyle
	classColour := map[graphapi.StateClass]lipgloss.AdaptiveColor{
		graphapi.StateDone:       t.Done,
		graphapi.StateFailed:     t.Failed,
		graphapi.StateCancelled:  t.Cancelled,
		graphapi.StateInProgress: t.Busy,
	}
	st := Styles{
		Title:    s().Bold(true).Foreground(t.Accent),
		Muted:    s().Foreground(t.Muted),
		Header:   s().Bold(true).Foreground(t.Muted),
		Label:    s().Foreground(t.Muted),
		Accent:   s().Foreground(t.Accent),
		Selected: s().Bold(true).Background(t.SelectedBg),
		Cursor:   s().Bold(true).Foreground(t.Accent),
		Rule:     s().Foreground(t.Border),
		Info:     s().Foreground(t.Accent),
		Success:  s().Foreground(t.Done),
		Warn:     s().Foreground(t.Warn),
		Error:    s().Bold(true).Foreground(t.Failed),
		classP:   map[graphapi.StateClass]paint{},
	}
	for class, c := range classColour {
		st.classP[class] = paintOf(s().Foreground(c))
	}
	st.cursorP, st.selectedP, st.barEmptyP = paintOf(st.Cursor), paintOf(st.Selected), paintOf(s().Foreground(t.BarEmpty))
	st.warnP = paintOf(st.Warn)
	st.oldP = paint{pre: faintOn, post: faintOff}
	if r.ColorProfile() == termenv.Ascii {
		// No colour (NO_COLOR, or a terminal without it): the selected row
		// is shown in reverse video, which is not a colour.
		st.selectedP = paint{pre: reverseOn, post: reverseOff}
	}
	return st
}

// Icons beyond the classes: a session waiting for its commit, a state the
// service is not known to send (shown neutral, not as running), and the
// stalled and stale verdicts. The fleet screen, the table and the event log
// share them.
const (
	awaitingIcon = "◇"
	unknownIcon  = "?"
	stalledIcon  = "⧗" // also a store's stalled verdict
	staleIcon    = "◷" // a store's stale verdict
)

// stateIcon gives each class a glyph, so meaning never rests on colour alone.
func stateIcon(c graphapi.StateClass) string {
	switch c {
	case graphapi.StateDone:
		return "✓"
	case graphapi.StateFailed:
		return "✗"
	case graphapi.StateCancelled:
		return "⊘"
	default:
		return "●"
	}
}

// themeSlots names the theme's colours for the config file.
func (t *Theme) themeSlots() map[string]*lipgloss.AdaptiveColor {
	return map[string]*lipgloss.AdaptiveColor{
		"accent": &t.Accent, "muted": &t.Muted, "border": &t.Border, "done": &t.Done, "failed": &t.Failed,
		"cancelled": &t.Cancelled, "busy": &t.Busy, "bar-empty": &t.BarEmpty, "selected-bg": &t.SelectedBg, "warn": &t.Warn,
	}
}

// ThemeColorNames lists the colours a theme override can set.
func ThemeColorNames() []string {
	var t Theme
	names := make([]string, 0, 10)
	for n := range t.themeSlots() {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Set overrides one colour (values as lipgloss takes them: "#RRGGBB" or an
// ANSI number).
func (t *Theme) Set(name, light, dark string) error {
	slot, ok := t.themeSlots()[name]
	if !ok {
		return fmt.Errorf("unknown theme colour %q (colours: %s)", name, strings.Join(ThemeColorNames(), ", "))
	}
	*slot = lipgloss.AdaptiveColor{Light: light, Dark: dark}
	return nil
}
