package doctor

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/edmtop/edmtop/termtext"
)

// namer gives each of a tenant's names and ids a placeholder (store-1,
// file-3), stable within one report: the same name always gets the same
// placeholder, numbered in the order first seen.
type namer struct {
	of   map[string]string // real -> placeholder
	next map[string]int    // kind -> last number given
	// byFirst indexes the reals by first byte, longest first, for text.
	byFirst map[byte][]string
}

func newNamer() *namer {
	return &namer{of: map[string]string{}, next: map[string]int{}}
}

// name is real's placeholder of kind, given now if real is new; "" stays "".
func (n *namer) name(kind, real string) string {
	if real == "" {
		return ""
	}
	if p, ok := n.of[real]; ok {
		return p
	}
	n.next[kind]++
	p := kind + "-" + strconv.Itoa(n.next[kind])
	n.of[real] = p
	n.alias(real, p)
	return p
}

// alias gives the name as a terminal shows it (escapes dropped, controls
// made visible, one line) the same placeholder: checks carry that form.
func (n *namer) alias(real, p string) {
	if shown := termtext.OneLine(real); shown != "" && shown != real && n.of[shown] == "" {
		n.of[shown] = p
	}
	n.byFirst = nil
}

// store names a data store: its name and its id read as one placeholder.
func (n *namer) store(name, id string) {
	p := n.name("store", name)
	switch {
	case p == "":
		n.name("store", id)
	case id != "" && n.of[id] == "":
		n.of[id] = p
		n.alias(id, p)
	}
}

// shortName is the length below which a name is replaced only as a whole
// word: a store called "HR" must not turn "HTTP" into nonsense.
const shortName = 4

// text replaces, in one pass, every known name in s by its placeholder,
// longest first, so no placeholder is itself rewritten.
func (n *namer) text(s string) string {
	if len(n.of) == 0 || s == "" {
		return s
	}
	if n.byFirst == nil {
		n.index()
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if real := n.match(s, i); real != "" {
			b.WriteString(n.of[real])
			i += len(real)
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

func (n *namer) index() {
	n.byFirst = map[byte][]string{}
	for real := range n.of {
		n.byFirst[real[0]] = append(n.byFirst[real[0]], real)
	}
	for _, list := range n.byFirst {
		sort.Slice(list, func(i, j int) bool {
			return len(list[i]) > len(list[j]) || len(list[i]) == len(list[j]) && list[i] < list[j]
		})
	}
}

// match is the longest known name at s[i:], "" when none.
func (n *namer) match(s string, i int) string {
	for _, real := range n.byFirst[s[i]] {
		if !strings.HasPrefix(s[i:], real) {
			continue
		}
		if utf8.RuneCountInString(real) >= shortName || wordAt(s, i, i+len(real)) {
			return real
		}
	}
	return ""
}

// wordAt reports whether s[start:end] stands alone: no letter or digit
// touches it.
func wordAt(s string, start, end int) bool {
	if r, _ := utf8.DecodeLastRuneInString(s[:start]); start > 0 && isWord(r) {
		return false
	}
	if r, _ := utf8.DecodeRuneInString(s[end:]); end < len(s) && isWord(r) {
		return false
	}
	return true
}

func isWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// learn gives every name and id the run saw its placeholder, in a fixed
// order (stores as listed, then their sessions as read), so a report's
// placeholders do not depend on which store answered first.
func (rep *Report) learn() {
	n := rep.names
	if tf := rep.SignIn.Token; tf != nil {
		n.name("tenant", tf.Tenant)
		n.name("account", tf.Account)
		n.name("app", tf.App)
	}
	for _, f := range rep.Access.Stores {
		n.store(f.Name, f.ID)
	}
	for _, f := range rep.Access.Stores {
		for _, id := range f.sessionIDs {
			n.name("session", id)
		}
		for _, name := range f.fileNames {
			n.name("file", name)
		}
		for _, id := range f.agentIDs {
			n.name("agent", id)
		}
	}
}

// settingKinds are the settings whose values name the tenant's things.
var settingKinds = map[string]string{"datastore": "store", "tenant": "tenant", "client-id": "app"}

// Redacted is a copy of the report fit to share: the tenant's names and
// ids (stores, files, sessions, agents, tenant, account, app) replaced by
// placeholders wherever they appear. The report never holds a token, a
// salt, a SAS query or an upload URL in the first place.
func (rep *Report) Redacted() *Report {
	out := rep.clone()
	out.Names = "placeholders"
	n := rep.names
	rep.learn()
	for i := range out.Config.Settings {
		s := &out.Config.Settings[i]
		if kind, ok := settingKinds[s.Name]; ok && s.Value != "" && s.Value != "-" {
			s.Value = n.name(kind, s.Value)
		}
		s.Source = n.text(s.Source)
	}
	out.Config.Error = n.text(out.Config.Error)
	for i := range out.Checks {
		c := &out.Checks[i]
		c.Title, c.Store, c.Detail, c.Fix = n.text(c.Title), n.text(c.Store), n.text(c.Detail), n.text(c.Fix)
	}
	si := &out.SignIn
	si.Error = n.text(si.Error)
	if tf := si.Token; tf != nil {
		tf.Tenant, tf.Account, tf.App = n.name("tenant", tf.Tenant), n.name("account", tf.Account), n.name("app", tf.App)
	}
	a := &out.Access
	a.ListError = n.text(a.ListError)
	for i := range a.Stores {
		f := &a.Stores[i]
		f.Name, f.ID = n.text(f.Name), n.text(f.ID)
		f.Error, f.CountError, f.PageError = n.text(f.Error), n.text(f.CountError), n.text(f.PageError)
	}
	if a.UploadAgent != nil {
		a.UploadAgent.Error = n.text(a.UploadAgent.Error)
	}
	out.Service.NextLinks.Refused = n.text(out.Service.NextLinks.Refused)
	for i := range out.Shape.Stores {
		out.Shape.Stores[i].Name = n.text(out.Shape.Stores[i].Name)
	}
	return out
}

// clone is a deep copy of the report's exported fields.
func (rep *Report) clone() *Report {
	b, err := json.Marshal(rep)
	if err != nil {
		panic("doctor: a report does not marshal: " + err.Error()) // a programming error
	}
	out := &Report{}
	if err := json.Unmarshal(b, out); err != nil {
		panic("doctor: a report does not unmarshal: " + err.Error())
	}
	out.names = rep.names
	return out
}

// HideHome writes the home directory as ~ wherever it appears in s (a
// path, or a message naming one), so a report does not carry the user's
// name.
func HideHome(s string) string {
	home, err := os.UserHomeDir()
	if err != nil || len(home) < 2 {
		return s
	}
	home = strings.TrimRight(home, string(filepath.Separator))
	var b strings.Builder
	for {
		i := strings.Index(s, home)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + len(home)
		// Only the whole directory: /home/al is not /home/alice.
		if end == len(s) || s[end] == filepath.Separator {
			b.WriteString(s[:i] + "~")
		} else {
			b.WriteString(s[:end])
		}
		s = s[end:]
	}
}
