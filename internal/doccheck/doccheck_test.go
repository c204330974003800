package doccheck

import (
	"errors"
	"reflect"
	"slices"
	"testing"
)

func TestSlug(t *testing.T) {
	cases := map[string]string{
		"Standing faults: every surface (issue 23)": "standing-faults-every-surface-issue-23",
		"`edmtop auth status | login | logout`":     "edmtop-auth-status--login--logout",
		"`edmtop renew|cancel|commit SESSION...`":   "edmtop-renewcancelcommit-session",
		"`edmtop list [STORE]`":                     "edmtop-list-store",
		"A refresh, from tick to screen":            "a-refresh-from-tick-to-screen",
		"`ui/frame`: drawing on change":             "uiframe-drawing-on-change",
		"What edmtop stores where":                  "what-edmtop-stores-where",
		"See [the map](architecture.md) first":      "see-the-map-first",
		"snake_case and Ünïcode":                    "snake_case-and-ünïcode",
	}
	for in, want := range cases {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAnchors(t *testing.T) {
	md := "# Title\n\n## Keys\n\n```sh\n# not a heading\n```\n\n## Keys\n### Keys ##\n    #### indented code is not one either\n"
	got := Anchors(md)
	want := map[string]bool{"title": true, "keys": true, "keys-1": true, "keys-2": true}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Anchors = %v, want %v", got, want)
	}
}

func TestLinks(t *testing.T) {
	md := "See [a](a.md) and [b](docs/b.md#part \"title\"), ![img](img.png).\n" +
		"`[not](code.md)` and\n```\n[not](fenced.md)\n```\n[ref]: ref.md\n" +
		"[nested [brackets]](n.md) [web](https://example.com/x)\n"
	var got []string
	for _, l := range Links(md) {
		got = append(got, l.Target)
	}
	want := []string{"a.md", "docs/b.md#part", "img.png", "ref.md", "n.md", "https://example.com/x"}
	if !slices.Equal(got, want) {
		t.Errorf("Links = %q, want %q", got, want)
	}
	if l := Links(md); l[3].Line != 6 {
		t.Errorf("ref.md on line %d, want 6", l[3].Line)
	}
}

func TestBlocksAndCommands(t *testing.T) {
	md := "text\n```sh\n# a comment line\ngo run . --demo     # the dashboard\n\nedmtop exporter \\\n  --demo   # exits 0\n" +
		"a &&\n  b | \n  c\necho 'x # y'  # real\n````\n~~~\nplain\n~~~\n"
	blocks := Blocks(md)
	if len(blocks) != 2 || blocks[0].Lang != "sh" || blocks[0].Line != 3 || blocks[1].Lang != "" || !slices.Equal(blocks[1].Lines, []string{"plain"}) {
		t.Fatalf("Blocks = %+v", blocks)
	}
	got := Commands(blocks[0])
	want := []Command{
		{Line: 4, Text: "go run . --demo", Comment: "the dashboard"},
		{Line: 6, Text: "edmtop exporter --demo", Comment: "exits 0"},
		{Line: 8, Text: "a && b | c"},
		{Line: 11, Text: "echo 'x # y'", Comment: "real"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Commands =\n%+v\nwant\n%+v", got, want)
	}
}

func TestWords(t *testing.T) {
	cases := []struct {
		in   string
		want []string
		err  error
	}{
		{`EDMTOP_TOKEN=demo edmtop list "Employee records" --endpoint http://127.0.0.1:8080/beta`,
			[]string{"EDMTOP_TOKEN=demo", "edmtop", "list", "Employee records", "--endpoint", "http://127.0.0.1:8080/beta"}, nil},
		{`curl -H 'Authorization: Bearer demo' 'http://h/x?$top=5'`, []string{"curl", "-H", "Authorization: Bearer demo", "http://h/x?$top=5"}, nil},
		{`a\ b "c \"d\" \\" e'f'g`, []string{"a b", `c "d" \`, "efg"}, nil},
		{`curl -s x | grep ^edm_`, nil, ErrNeedsShell},
		{`echo "$HOME"`, nil, ErrNeedsShell},
		{`edmtop wait "$FILE"`, nil, ErrNeedsShell},
		{`a > b`, nil, ErrNeedsShell},
	}
	for _, tc := range cases {
		got, err := Words(tc.in)
		if !errors.Is(err, tc.err) || !slices.Equal(got, tc.want) {
			t.Errorf("Words(%q) = %q, %v; want %q, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
	for _, bad := range []string{`a 'b`, `a "b`} {
		if _, err := Words(bad); err == nil || errors.Is(err, ErrNeedsShell) {
			t.Errorf("Words(%q): %v, want an unterminated quote", bad, err)
		}
	}
}
