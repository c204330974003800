// Package doccheck reads edmtop's Markdown pages the way a reader follows
// them: the links between pages and the headings they point at, and the
// commands in their fenced blocks. Its own test checks that every link
// and anchor resolves; e2e runs the commands that use the simulator, so
// a page's example cannot drift from what the program does (issue 26).
package doccheck

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Block is a fenced code block.
type Block struct {
	Line  int    // the line of its first content line, from 1
	Lang  string // the info string's first word ("sh", "yaml", "" for none)
	Lines []string
}

// Blocks returns the fenced blocks of a page, in order. An unclosed fence
// runs to the end of the page, as Markdown renders it.
func Blocks(md string) []Block {
	var out []Block
	var cur *Block
	fence := ""
	for i, line := range strings.Split(md, "\n") {
		trimmed := strings.TrimLeft(line, " \t")
		if cur == nil {
			if f := fenceOf(trimmed); f != "" {
				fence = f
				lang, _, _ := strings.Cut(strings.TrimSpace(trimmed[len(f):]), " ")
				cur = &Block{Line: i + 2, Lang: lang}
			}
			continue
		}
		if strings.HasPrefix(trimmed, fence) && strings.TrimSpace(strings.TrimLeft(trimmed, fence[:1])) == "" {
			out = append(out, *cur)
			cur = nil
			continue
		}
		cur.Lines = append(cur.Lines, line)
	}
	if cur != nil {
		out = append(out, *cur)
	}
	return out
}

// fenceOf is the fence a line opens (``` or ~~~, three or more), or "".
func fenceOf(line string) string {
	for _, c := range []string{"`", "~"} {
		n := len(line) - len(strings.TrimLeft(line, c))
		if n >= 3 {
			return strings.Repeat(c, n)
		}
	}
	return ""
}

// prose is a page with its fenced blocks blanked (line numbers kept):
// a heading or a link inside a code block is text, not Markdown.
func prose(md string) []string {
	lines := strings.Split(md, "\n")
	for _, b := range Blocks(md) {
		// From the opening fence to the closing one (if any).
		for i := b.Line - 2; i < min(b.Line+len(b.Lines), len(lines)); i++ {
			lines[i] = ""
		}
	}
	return lines
}

// Link is a link's target as written, and the line it is on.
type Link struct {
	Line   int
	Target string
}

var (
	codeSpan   = regexp.MustCompile("`+[^`]*`+")
	inlineLink = regexp.MustCompile(`!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)`)
	refDef     = regexp.MustCompile(`^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$`)
)

// Links returns the targets of the inline links, images and reference
// definitions outside code.
func Links(md string) []Link {
	var out []Link
	for i, line := range prose(md) {
		line = codeSpan.ReplaceAllString(line, "")
		for _, m := range inlineLink.FindAllStringSubmatch(line, -1) {
			out = append(out, Link{Line: i + 1, Target: m[1]})
		}
		if m := refDef.FindStringSubmatch(line); m != nil {
			out = append(out, Link{Line: i + 1, Target: m[1]})
		}
	}
	return out
}

var heading = regexp.MustCompile(`^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$`)

// Anchors returns the anchors GitHub gives a page's headings: each
// heading's Slug, and a repeated one with -1, -2… added.
func Anchors(md string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	for _, line := range prose(md) {
		m := heading.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		slug := Slug(m[1])
		if n := seen[slug]; n > 0 {
			out[slug+"-"+strconv.Itoa(n)] = true
		} else {
			out[slug] = true
		}
		seen[slug]++
	}
	return out
}

var linkText = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)

// Slug is the anchor GitHub makes of a heading's text: links become their
// text, then lower case, every character but letters, digits, marks, '-',
// '_' and spaces dropped, and each space a '-'.
func Slug(text string) string {
	text = strings.ToLower(linkText.ReplaceAllString(text, "$1"))
	var b strings.Builder
	for _, r := range text {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Command is one command line of a shell block: continuation lines
// joined, its trailing comment apart.
type Command struct {
	Line    int // the line it starts on, from 1
	Text    string
	Comment string // after the '#', trimmed; "" when none
}

// Commands returns the command lines of a shell block. A line ending in
// '\' continues on the next; one ending in "&&" or '|' too. Blank lines
// and whole-line comments are not commands.
func Commands(b Block) []Command {
	var out []Command
	var cur *Command
	for i, raw := range b.Lines {
		text, comment := splitComment(raw)
		text = strings.TrimSpace(text)
		if cur == nil {
			if text == "" {
				continue
			}
			cur = &Command{Line: b.Line + i}
		}
		more := false
		if t, ok := strings.CutSuffix(text, `\`); ok {
			text, more = strings.TrimSpace(t), true
		} else if strings.HasSuffix(text, "&&") || strings.HasSuffix(text, "|") {
			more = true
		}
		cur.Text = strings.TrimSpace(cur.Text + " " + text)
		if comment != "" {
			cur.Comment = comment
		}
		if !more {
			out = append(out, *cur)
			cur = nil
		}
	}
	if cur != nil {
		out = append(out, *cur)
	}
	return out
}

// splitComment cuts a shell line at a '#' that starts a word outside
// quotes.
func splitComment(line string) (text, comment string) {
	var quote rune
	prev := ' '
	for i, r := range line {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '#' && unicode.IsSpace(prev):
			return line[:i], strings.TrimSpace(line[i+1:])
		}
		prev = r
	}
	return line, ""
}

// ErrNeedsShell says a command line uses the shell beyond words and
// quotes (a pipe, a redirection, a variable): run it with sh -c.
var ErrNeedsShell = errors.New("the command needs a shell")

// Words splits a command line as sh would split a simple command: words
// separated by blanks, '...' literal, "..." with \" \\ \$ \` escapes, and
// '\' outside quotes escaping the next character. A character the shell
// would act on outside quotes (| & ; < > ( ) $ ` * ? [) returns
// ErrNeedsShell.
func Words(line string) ([]string, error) {
	var words []string
	var b strings.Builder
	inWord := false
	rs := []rune(line)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, b.String())
				b.Reset()
				inWord = false
			}
		case r == '\'':
			end := indexRune(rs, i+1, '\'')
			if end < 0 {
				return nil, errors.New("unterminated ' in " + line)
			}
			b.WriteString(string(rs[i+1 : end]))
			i, inWord = end, true
		case r == '"':
			j := i + 1
			for ; j < len(rs) && rs[j] != '"'; j++ {
				if rs[j] == '$' || rs[j] == '`' {
					return nil, ErrNeedsShell
				}
				if rs[j] == '\\' && j+1 < len(rs) && strings.ContainsRune("\"\\$`", rs[j+1]) {
					j++
				}
				b.WriteRune(rs[j])
			}
			if j == len(rs) {
				return nil, errors.New(`unterminated " in ` + line)
			}
			i, inWord = j, true
		case r == '\\':
			if i+1 < len(rs) {
				i++
				b.WriteRune(rs[i])
			}
			inWord = true
		case strings.ContainsRune("|&;<>()$`*?[", r):
			return nil, ErrNeedsShell
		default:
			b.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, b.String())
	}
	return words, nil
}

func indexRune(rs []rune, from int, r rune) int {
	for i := from; i < len(rs); i++ {
		if rs[i] == r {
			return i
		}
	}
	return -1
}
