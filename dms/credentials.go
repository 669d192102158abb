package dms

import (
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
)

// lockedProvider serialises a credentials provider: the SDK's default chain
// remembers the provider that worked in an unguarded field, and our pooled SDK
// clients share one provider.
type lockedProvider struct {
	mu sync.Mutex
	p  credentials.CredentialsProvider
}

// GetCredentials implements credentials.CredentialsProvider.
func (l *lockedProvider) GetCredentials() (*credentials.Credentials, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.p.GetCredentials()
}

// GetProviderName implements credentials.CredentialsProvider.
func (l *lockedProvider) GetProviderName() string { return l.p.GetProviderName() }

// providerFor picks the credentials provider a configuration asks for: an
// explicit one, a named aliyun CLI profile, or the SDK's default chain.
func providerFor(cfg Config) credentials.CredentialsProvider {
	switch {
	case cfg.Credentials != nil:
		return cfg.Credentials
	case cfg.Profile != "":
		return credentials.NewCLIProfileCredentialsProviderBuilder().WithProfileName(cfg.Profile).Build()
	}
	return credentials.NewDefaultCredentialsProvider()
}

// StaticCredentials is a fixed AccessKey pair (the demo's, a test's).
func StaticCredentials(id, secret string) credentials.CredentialsProvider {
	return credentials.NewStaticAKCredentialsProvider(id, secret)
}

// CredentialsError explains that no usable credentials were found: which
// sources were tried and how to fix it.
type CredentialsError struct {
	Profile string   // the --profile asked for, if any
	Tried   []string // the sources, in the order the SDK tries them
	Detail  string   // the SDK's own account of what failed
}

// Error implements error.
func (e *CredentialsError) Error() string {
	return "no Alibaba Cloud credentials found (tried: " + strings.Join(e.Tried, "; ") + ")"
}

// Fixes lists what the user can do, one line each.
func (e *CredentialsError) Fixes() []string {
	if e.Profile != "" {
		return []string{
			fmt.Sprintf("create the profile: aliyun configure --profile %s", e.Profile),
			"or drop --profile to use the environment variables or the current aliyun CLI profile",
			"or run dmsticket --demo to try everything against the built-in simulator, without an account",
		}
	}
	return []string{
		"run: aliyun configure   (writes ~/.aliyun/config.json, which dmsticket reads)",
		"or set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (and ALIBABA_CLOUD_SECURITY_TOKEN for STS)",
		"or pick a profile with --profile NAME (or ALIBABA_CLOUD_PROFILE)",
		"or run dmsticket --demo to try everything against the built-in simulator, without an account",
	}
}

// CredentialSources lists, in a person's words, where the SDK looks for
// credentials for this configuration.
func CredentialSources(profile string) []string {
	if profile != "" {
		return []string{fmt.Sprintf("aliyun CLI profile %q in ~/.aliyun/config.json", profile)}
	}
	src := []string{"environment variables ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET"}
	if os.Getenv("ALIBABA_CLOUD_OIDC_TOKEN_FILE") != "" {
		src = append(src, "OIDC token file (ALIBABA_CLOUD_OIDC_TOKEN_FILE)")
	}
	if os.Getenv("ALIBABA_CLOUD_CLI_PROFILE_DISABLED") != "true" {
		p := os.Getenv("ALIBABA_CLOUD_PROFILE")
		if p == "" {
			p = "the current one"
		}
		src = append(src, "aliyun CLI profile ("+p+") in ~/.aliyun/config.json")
	}
	cf := os.Getenv("ALIBABA_CLOUD_CREDENTIALS_FILE")
	if cf == "" {
		cf = "~/.alibabacloud/credentials"
	}
	src = append(src, "credentials file "+cf)
	if os.Getenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED") != "true" {
		src = append(src, "ECS RAM role (instance metadata)")
	}
	if os.Getenv("ALIBABA_CLOUD_CREDENTIALS_URI") != "" {
		src = append(src, "credentials URI (ALIBABA_CLOUD_CREDENTIALS_URI)")
	}
	return src
}

// CheckCredentials asks the credential chain for credentials without calling
// DMS. It returns a *CredentialsError when none are found. Secrets stay inside
// the SDK.
func (c *Client) CheckCredentials() error {
	if _, err := c.provider.GetCredentials(); err != nil {
		return &CredentialsError{Profile: c.cfg.Profile, Tried: CredentialSources(c.cfg.Profile), Detail: credentialMessage(err.Error())}
	}
	return nil
}

func isCredentialError(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "unable to get credentials") || strings.Contains(m, "credential") && (strings.Contains(m, "not found") || strings.Contains(m, "empty") || strings.Contains(m, "invalid") || strings.Contains(m, "unable"))
}

// credentialMessage shortens the SDK's chain error; it never contains secrets
// (the SDK reports only which providers failed and why).
func credentialMessage(msg string) string {
	msg = strings.TrimPrefix(msg, "unable to get credentials from any of the providers in the chain: ")
	if len(msg) > 600 {
		msg = msg[:600] + "…"
	}
	return msg
}
