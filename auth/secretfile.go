package auth

import (
	"errors"
	"fmt"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/edmtop/edmtop/config"
)

// secretFileCredential signs in as an app registration whose client secret
// is read from Options.ClientSecretFile, now, once: a file that cannot be
// used is an error at start, not at the first token.
func secretFileCredential(o Options, mode Mode, getenv func(string) string, client azcore.ClientOptions) (*Credential, error) {
	if mode != ModeAuto && mode != ModeEnv {
		return nil, fmt.Errorf("--client-secret-file signs in as an app registration: use it with --auth env (or auto), not --auth %s", mode)
	}
	tenant, clientID := o.TenantID, o.ClientID
	if tenant == "" {
		tenant = getenv("AZURE_TENANT_ID")
	}
	if clientID == "" {
		clientID = getenv("AZURE_CLIENT_ID")
	}
	if tenant == "" || clientID == "" {
		return nil, errors.New("--client-secret-file needs the app's tenant and client id: --tenant and --client-id, or AZURE_TENANT_ID and AZURE_CLIENT_ID")
	}
	secret, err := readSecretFile(o.ClientSecretFile)
	if err != nil {
		return nil, fmt.Errorf("--client-secret-file %s: %w", o.ClientSecretFile, err)
	}
	cred, err := azidentity.NewClientSecretCredential(tenant, clientID, secret,
		&azidentity.ClientSecretCredentialOptions{ClientOptions: client})
	if err != nil {
		return nil, Explain(ModeEnv, err)
	}
	return &Credential{TokenCredential: cred, Mode: ModeEnv, Kind: "ClientSecretCredential", TokenCache: "memory only"}, nil
}

// maxSecretSize bounds a secret file: a client secret is tens of bytes.
const maxSecretSize = 64 << 10

// readSecretFile reads a secret: a regular file that no other user can
// change (stat first, so a FIFO cannot block), at most maxSecretSize
// bytes, one line, its line ending dropped. Errors never quote the file.
func readSecretFile(path string) (string, error) {
	data, err := config.ReadPrivate(path, maxSecretSize, "swap in their own app's secret")
	if err != nil {
		return "", err
	}
	secret := strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r")
	switch {
	case strings.TrimSpace(secret) == "":
		return "", errors.New("the file is empty")
	case strings.ContainsAny(secret, "\r\n"):
		return "", errors.New("the file holds more than one line: put the client secret alone in it")
	}
	return secret, nil
}
