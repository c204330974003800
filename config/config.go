// Package config reads edmtop's configuration file strictly: unknown keys
// are errors, and every key keeps its line so later checks can point at it.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"

	"go.yaml.in/yaml/v3"
)

// File is the configuration file's content.
type File struct {
	Keys    map[string]KeyList `yaml:"keys"`
	Theme   Theme              `yaml:"theme"`
	Columns *[]string          `yaml:"columns"`
	// Scalars holds every other top-level key as written, one value each.
	// Which keys exist and how their text is read is declared once, in the
	// settings registry (internal/cli/settings.go), which reads them here.
	Scalars map[string]yaml.Node `yaml:",inline"`

	// Path is where the file was read from ("" when there was none).
	Path  string `yaml:"-"`
	lines map[string]int
}

// Theme is `theme: light|dark|auto` (which colour of each light/dark pair to
// use; auto asks the terminal), or a mapping of colour overrides that may
// also hold `mode: light|dark|auto`.
type Theme struct {
	Mode   string
	Colors map[string]Color
}

// UnmarshalYAML accepts "dark" as well as {mode: dark, accent: "#FF8800"}.
func (t *Theme) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		t.Mode = n.Value
		return nil
	case yaml.MappingNode:
		t.Colors = map[string]Color{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value == "mode" {
				if v.Kind != yaml.ScalarNode {
					return fmt.Errorf("line %d: theme mode is light, dark or auto", v.Line)
				}
				t.Mode = v.Value
				continue
			}
			var c Color
			if err := v.Decode(&c); err != nil {
				return err
			}
			t.Colors[k.Value] = c
		}
		return nil
	}
	return fmt.Errorf("line %d: theme is light, dark or auto, or a mapping of colours", n.Line)
}

// KeyList is one key or a list of keys.
type KeyList []string

// UnmarshalYAML accepts "r" as well as ["r", "ctrl+n"].
func (k *KeyList) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*k = KeyList{n.Value}
		return nil
	case yaml.SequenceNode:
		var list []string
		if err := n.Decode(&list); err != nil {
			return err
		}
		*k = list
		return nil
	}
	return fmt.Errorf("line %d: a key binding is a key or a list of keys", n.Line)
}

// Color is one colour for both backgrounds, or a light/dark pair.
type Color struct {
	Light, Dark string
}

var colorPattern = regexp.MustCompile(`^(#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}|[0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])$`)

// UnmarshalYAML accepts "#5FAFFF" or {light: "#005FAF", dark: "#5FAFFF"}.
func (c *Color) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		c.Light, c.Dark = n.Value, n.Value
	case yaml.MappingNode:
		for i := 0; i < len(n.Content); i += 2 {
			if k := n.Content[i].Value; k != "light" && k != "dark" {
				return fmt.Errorf("line %d: %q in a colour pair: only light: and dark: are allowed", n.Content[i].Line, k)
			}
		}
		var pair struct {
			Light string `yaml:"light"`
			Dark  string `yaml:"dark"`
		}
		if err := n.Decode(&pair); err != nil {
			return err
		}
		if pair.Light == "" || pair.Dark == "" {
			return fmt.Errorf("line %d: a colour pair needs both a light and a dark value", n.Line)
		}
		c.Light, c.Dark = pair.Light, pair.Dark
	default:
		return fmt.Errorf("line %d: a colour is \"#RRGGBB\", an ANSI number 0-255, or {light: …, dark: …}", n.Line)
	}
	for _, v := range []string{c.Light, c.Dark} {
		if !colorPattern.MatchString(v) {
			return fmt.Errorf("line %d: colour %q: use \"#RRGGBB\", \"#RGB\" or an ANSI number 0-255", n.Line, v)
		}
	}
	return nil
}

// DefaultPath is $XDG_CONFIG_HOME/edmtop/config.yaml, or
// ~/.config/edmtop/config.yaml.
func DefaultPath(getenv func(string) string) string {
	return defaultPath(runtime.GOOS, getenv)
}

// defaultPath: $XDG_CONFIG_HOME wins everywhere; on Windows the roaming
// %APPDATA%\edmtop (where Windows tools keep settings), else ~/.config.
func defaultPath(goos string, getenv func(string) string) string {
	if d := getenv("XDG_CONFIG_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "edmtop", "config.yaml")
	}
	if d := getenv("APPDATA"); goos == "windows" && filepath.IsAbs(d) {
		return filepath.Join(d, "edmtop", "config.yaml")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".config", "edmtop", "config.yaml")
}

// maxSize bounds the file: a configuration is a screenful, not a database.
const maxSize = 1 << 20

// Load reads path. A missing file is no error when optional (the default
// location); it is when the user named it. Only a regular file that no other
// user can change is read (see read).
func Load(path string, optional bool) (*File, error) {
	f := &File{lines: map[string]int{}}
	if path == "" {
		return f, nil
	}
	data, err := read(path)
	if errors.Is(err, os.ErrNotExist) && optional {
		return f, nil
	}
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	f, err = Parse(data)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	f.Path = path
	return f, nil
}

// read stats path before opening it, so a FIFO cannot block and a device
// cannot flood the read, refuses a file other users can change (it names
// the endpoint the token is sent to), and reads at most maxSize bytes.
func read(path string) ([]byte, error) {
	return ReadPrivate(path, maxSize, "point edmtop at their server and receive your token")
}

// ReadPrivate reads a regular file no other local user can change (risk
// says what such a user could do, for the message), at most limit bytes:
// stat first, so a FIFO cannot block, then only the file checked.
func ReadPrivate(path string, limit int, risk string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := regular(fi); err != nil {
		return nil, err
	}
	if err := CheckPrivate(path, fi, risk); err != nil {
		return nil, err
	}
	fh, err := os.OpenFile(path, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	// The name may point elsewhere by now: read only the file checked.
	if now, err := fh.Stat(); err != nil || !os.SameFile(fi, now) {
		return nil, errors.New("the file was replaced while being opened; try again")
	}
	return readAtMost(fh, limit)
}

// readAtMost reads r to its end, or fails once it passes limit bytes
// (a file that grows while read, a device).
func readAtMost(r io.Reader, limit int) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, err
	}
	if len(data) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return data, nil
}

// regular refuses anything but a regular file, naming what it is.
func regular(fi os.FileInfo) error {
	m := fi.Mode()
	if m.IsRegular() {
		return nil
	}
	what := "not a regular file"
	switch {
	case m.IsDir():
		what = "a directory"
	case m&os.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case m&os.ModeSocket != 0:
		what = "a socket"
	case m&os.ModeDevice != 0:
		what = "a device"
	}
	return fmt.Errorf("is %s, not a regular file", what)
}

// Parse decodes a configuration, refusing unknown keys and a second
// document.
func Parse(data []byte) (*File, error) {
	f := &File{lines: map[string]int{}}
	if len(bytes.TrimSpace(data)) == 0 {
		return f, nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(f); err != nil && !errors.Is(err, io.EOF) {
		return nil, describe(err)
	}
	// yaml would silently ignore everything after a "---"; a setting there
	// would look applied and not be.
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		return nil, fmt.Errorf("line %d: a second YAML document (---): the configuration is one document; remove the --- and merge the settings", extra.Line)
	case !errors.Is(err, io.EOF):
		return nil, describe(err)
	}
	for key, n := range f.Scalars {
		if n.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("line %d: %s takes one value, not a list or a mapping", n.Line, key)
		}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err == nil && len(root.Content) == 1 {
		recordLines(root.Content[0], "", f.lines)
	}
	return f, nil
}

// recordLines notes the line of every mapping key, as "keys" or "keys.renew".
func recordLines(n *yaml.Node, prefix string, lines map[string]int) {
	if n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		name := k.Value
		if prefix != "" {
			name = prefix + "." + name
		}
		lines[name] = k.Line
		recordLines(n.Content[i+1], name, lines)
	}
}

// describe joins yaml's type errors into one message.
func describe(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err
	}
	return errors.New(strings.Join(te.Errors, "; "))
}

// Where names a key's place for messages: "config.yaml:12 (keys.renew)".
func (f *File) Where(key string) string {
	line := f.lines[key]
	if line == 0 {
		// Fall back to the enclosing key.
		if i := strings.LastIndex(key, "."); i > 0 {
			line = f.lines[key[:i]]
		}
	}
	if line == 0 {
		return f.Path + " (" + key + ")"
	}
	return fmt.Sprintf("%s:%d (%s)", f.Path, line, key)
}

// Has reports whether the file sets key.
func (f *File) Has(key string) bool {
	_, ok := f.lines[key]
	return ok
}

// Value is a top-level scalar's text as written, for the settings registry
// to read like a flag.
func (f *File) Value(key string) (string, bool) {
	n, ok := f.Scalars[key]
	return n.Value, ok
}

// Line is the line a top-level key is on (0 when the file does not set it).
func (f *File) Line(key string) int { return f.lines[key] }
