// Package auth turns edmtop's sign-in flags into an azcore.TokenCredential
// (azidentity for every mode), keeps the non-secret authentication record
// between runs, and explains sign-in failures in words an admin can act on.
package auth

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
)

// Cloud is one Microsoft cloud: where Graph lives and who signs in for it.
type Cloud struct {
	Name      string
	GraphRoot string
	Authority string
	// AzCLINames are the Azure CLI's names for this cloud (az cloud show).
	AzCLINames []string
}

// Clouds are the national clouds edmtop knows (graph-edm-api.md).
var Clouds = []Cloud{
	{"global", "https://graph.microsoft.com", "https://login.microsoftonline.com/", []string{"AzureCloud"}},
	{"usgov", "https://graph.microsoft.us", "https://login.microsoftonline.us/", []string{"AzureUSGovernment"}},
	{"usgovdod", "https://dod-graph.microsoft.us", "https://login.microsoftonline.us/", []string{"AzureUSGovernment"}},
	{"china", "https://microsoftgraph.chinacloudapi.cn", "https://login.chinacloudapi.cn/", []string{"AzureChinaCloud"}},
}

// LookupCloud finds a cloud by name (case-insensitive).
func LookupCloud(name string) (Cloud, error) {
	var names []string
	for _, c := range Clouds {
		if strings.EqualFold(c.Name, name) {
			return c, nil
		}
		names = append(names, c.Name)
	}
	return Cloud{}, fmt.Errorf("unknown cloud %q: use one of %s", name, strings.Join(names, ", "))
}

// CloudOfGraphHost is the cloud whose Microsoft Graph lives at host (a host
// name, any case, without the port), if it is one of theirs.
func CloudOfGraphHost(host string) (Cloud, bool) {
	for _, c := range Clouds {
		if u, err := url.Parse(c.GraphRoot); err == nil && strings.EqualFold(u.Hostname(), host) {
			return c, true
		}
	}
	return Cloud{}, false
}

// Endpoint is the Graph beta endpoint of the cloud.
func (c Cloud) Endpoint() string { return c.GraphRoot + "/beta" }

// Scope is the token scope for the cloud's Graph.
func (c Cloud) Scope() string { return c.GraphRoot + "/.default" }

// Configuration is the cloud for azidentity (the sign-in authority).
func (c Cloud) Configuration() cloud.Configuration {
	return cloud.Configuration{ActiveDirectoryAuthorityHost: c.Authority, Services: map[cloud.ServiceName]cloud.ServiceConfiguration{}}
}
