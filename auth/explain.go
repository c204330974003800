package auth

import (
	"context"
	"errors"
	"strings"

	"github.com/edmtop/edmtop/graphapi"
)

// Error is a sign-in failure with advice.
type Error struct {
	Mode   Mode
	Advice string
	Err    error
}

func (e *Error) Error() string {
	msg := "sign-in (" + string(e.Mode) + ") failed"
	if e.Err != nil {
		msg += ": " + firstLines(e.Err.Error(), 3)
	}
	if e.Advice != "" {
		msg += "\n" + e.Advice
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Explain wraps a sign-in error with what the admin can do about it.
func Explain(mode Mode, err error) error {
	if err == nil {
		return nil
	}
	var already *Error
	if errors.As(err, &already) {
		return err
	}
	text := strings.ToLower(err.Error())
	e := &Error{Mode: mode, Err: err}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		e.Advice = "Sign-in took too long. Try again, or choose another --auth mode."
	case strings.Contains(text, "az login") || strings.Contains(text, "please run 'az login'"):
		e.Advice = "The Azure CLI is not signed in: run `az login` (with --tenant TENANT for another tenant), then start edmtop again."
	case strings.Contains(text, "azure cli not found") || strings.Contains(text, "executable file not found") ||
		strings.Contains(text, "executable not found"): // azidentity 1.15: "AzureCLICredential: executable not found on path"
		e.Advice = "The Azure CLI (az) is not installed or not on PATH: install it (https://aka.ms/installazurecli) and run `az login`, or use --auth device (works anywhere)."
	case strings.Contains(text, "aadsts50020") || strings.Contains(text, "aadsts90072"):
		e.Advice = "This account is not in that tenant: pass --tenant with the tenant that holds the EDM data stores."
	case strings.Contains(text, "aadsts65001") || strings.Contains(text, "consent"):
		e.Advice = "The application has no consent for Microsoft Graph in this tenant: ask an admin to consent, or pass --client-id of an app registration that has it."
	case strings.Contains(text, "aadsts700016") || strings.Contains(text, "aadsts7000215"):
		e.Advice = "The application id or secret is wrong: check --client-id and AZURE_CLIENT_SECRET."
	case mode == ModeManagedIdentity || strings.Contains(text, "managed identity"):
		e.Advice = "No managed identity answered: this works only on an Azure host with one assigned (pass --client-id for a user-assigned identity)."
	case mode == ModeEnv:
		e.Advice = "Set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH), or choose another --auth mode."
	case mode == ModeBrowser:
		e.Advice = "No browser could be opened here? Use --auth device instead."
	case mode == ModeAuto:
		e.Advice = "No credential in the default chain is set up. Sign in with `az login`, use --auth device, or set " + graphapi.TokenEnvVar + "."
	}
	if mode == ModeAuto && !errors.Is(err, context.DeadlineExceeded) {
		// Most likely a first run: say how to look around without one.
		e.Advice = strings.TrimPrefix(e.Advice+"\n", "\n") + newcomerAdvice
	}
	return e
}

// newcomerAdvice ends the advice of a default sign-in that failed.
const newcomerAdvice = "New here? `edmtop --demo` runs the dashboard on a built-in simulator without signing in; " +
	"`edmtop auth login` signs in with a device code; `edmtop doctor` says what signing in needs."

func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	var kept []string
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "To troubleshoot") || strings.HasPrefix(l, "----") {
			continue
		}
		kept = append(kept, l)
		if len(kept) == n {
			break
		}
	}
	return strings.Join(kept, " ")
}
