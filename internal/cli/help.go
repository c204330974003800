package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Help as gh writes it: a command's own flags under "Flags", the root's
// persistent ones (sign-in, endpoint, --config, --log-file,
// --request-timeout) once under "Global Flags", and a boolean flag as
// --bell, not pflag 1.1's --bell[=true|false].
//
// A command that never signs in says which global flags it reads (the
// globalsAnnotation): the others are left out of its help and refused on
// its command line, so simulate does not advertise --auth.

// globalsAnnotation names, comma-separated, the global flags a command
// (and its subcommands) reads; absent: all of them.
const globalsAnnotation = "edmtop.globals"

// readsGlobals marks cmd as reading only the named global flags.
func readsGlobals(cmd *cobra.Command, names ...string) {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[globalsAnnotation] = strings.Join(names, ",")
}

// globalsOf is what cmd reads of the global flags: all (ok false) or the
// names its nearest annotated ancestor lists.
func globalsOf(cmd *cobra.Command) (names []string, ok bool) {
	for c := cmd; c != nil; c = c.Parent() {
		if v, found := c.Annotations[globalsAnnotation]; found {
			if v == "" {
				return nil, true
			}
			return strings.Split(v, ","), true
		}
	}
	return nil, false
}

// appliesTo says whether the global flag name applies to cmd.
func appliesTo(cmd *cobra.Command, name string) bool {
	names, limited := globalsOf(cmd)
	return !limited || slices.Contains(names, name)
}

// refuseGlobals is a usage error for a global flag set on a command that
// does not read it.
func refuseGlobals(cmd *cobra.Command) error {
	var err error
	cmd.Root().PersistentFlags().VisitAll(func(f *pflag.Flag) {
		if err == nil && f.Changed && !appliesTo(cmd, f.Name) {
			err = usageErrorf("--%s does not apply to '%s'", f.Name, cmd.CommandPath())
		}
	})
	return err
}

// usage writes cmd's usage (cobra's layout, our flag sections).
func usage(cmd *cobra.Command) error {
	var b strings.Builder
	b.WriteString("Usage:")
	if cmd.Runnable() {
		b.WriteString("\n  " + cmd.UseLine())
	}
	if cmd.HasAvailableSubCommands() {
		b.WriteString("\n  " + cmd.CommandPath() + " [command]")
	}
	if len(cmd.Aliases) > 0 {
		b.WriteString("\n\nAliases:\n  " + cmd.NameAndAliases())
	}
	if cmd.HasExample() {
		b.WriteString("\n\nExamples:\n" + cmd.Example)
	}
	if cmd.HasAvailableSubCommands() {
		b.WriteString("\n\nAvailable Commands:")
		for _, sub := range cmd.Commands() {
			if sub.IsAvailableCommand() || sub.Name() == "help" {
				fmt.Fprintf(&b, "\n  %-*s %s", sub.NamePadding(), sub.Name(), sub.Short)
			}
		}
	}
	if own := flagUsages(cmd.LocalNonPersistentFlags(), nil); own != "" {
		b.WriteString("\n\nFlags:\n" + own)
	}
	global := cmd.InheritedFlags()
	if !cmd.HasParent() {
		global = cmd.PersistentFlags()
	}
	if text := flagUsages(global, func(f *pflag.Flag) bool { return appliesTo(cmd, f.Name) }); text != "" {
		b.WriteString("\n\nGlobal Flags:\n" + text)
	}
	if cmd.HasAvailableSubCommands() {
		fmt.Fprintf(&b, "\n\nUse \"%s [command] --help\" for more information about a command.", cmd.CommandPath())
	}
	b.WriteString("\n")
	_, err := fmt.Fprint(cmd.OutOrStderr(), b.String())
	return err
}

// flagUsages is pflag's flag list for the flags keep accepts (nil: all),
// with boolean flags shown bare: pflag 1.1 writes --bell[=true|false]
// for a flag that is set by its name alone.
func flagUsages(fs *pflag.FlagSet, keep func(*pflag.Flag) bool) string {
	shown := pflag.NewFlagSet("help", pflag.ContinueOnError)
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden || (keep != nil && !keep(f)) {
			return
		}
		c := *f
		if f.Value.Type() == "bool" {
			c.Value = bareBool{f.Value}
		}
		shown.AddFlag(&c)
	})
	lines := strings.Split(shown.FlagUsages(), "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n")
}

// bareBool is a boolean flag's value as help sees it: without
// IsBoolFlag, pflag writes it by its name alone (its type, "bool", has no
// placeholder), and a false default goes unsaid.
type bareBool struct{ pflag.Value }
