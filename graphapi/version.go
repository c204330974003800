package graphapi

import (
	"runtime/debug"
	"strings"
)

// Version is edmtop's version, sent in the User-Agent. Releases set it with
// -ldflags "-X github.com/edmtop/edmtop/graphapi.Version=v1.2.3"; otherwise it
// comes from the build (the module version of `go install …@v1.2.3`, or the
// VCS revision of a checkout build).
var Version string

func init() {
	if Version == "" {
		info, _ := debug.ReadBuildInfo()
		Version = buildVersion(info)
	}
}

// buildVersion picks the most telling version a build records.
func buildVersion(info *debug.BuildInfo) string {
	if info == nil {
		return "dev"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return "dev"
	}
	v := "dev-" + rev[:min(len(rev), 12)]
	if modified == "true" {
		v += "-dirty"
	}
	return strings.TrimSpace(v)
}
