package dms

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
)

// Where credentials come from (PRODUCT section 3):
//
//   - Without --profile, the SDK's own default chain, unchanged: the
//     environment keys, OIDC, the aliyun CLI profile (ALIBABA_CLOUD_PROFILE,
//     else the config's current one) in ~/.aliyun/config.json, the section
//     ALIBABA_CLOUD_PROFILE (else [default]) of ~/.alibabacloud/credentials,
//     the ECS RAM role, the credentials URI. ALIBABA_CLOUD_PROFILE means what
//     it means to the chain and never outranks the environment keys.
//   - With --profile NAME, that profile only, looked for where the chain
//     looks for a named profile and in the same order: the aliyun CLI
//     profile NAME, else the section [NAME] of the credentials file. The
//     environment keys are not consulted: the flag says which identity.

// CredentialKind is the kind of source a client's credentials came from.
type CredentialKind int

// The kinds of credential source.
const (
	// CredUnknown: not asked for yet, or none found.
	CredUnknown CredentialKind = iota
	// CredEnv: ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET (/ _SECURITY_TOKEN).
	CredEnv
	// CredCLIProfile: a profile of the aliyun CLI's ~/.aliyun/config.json.
	CredCLIProfile
	// CredFile: a section of ~/.alibabacloud/credentials (or of
	// ALIBABA_CLOUD_CREDENTIALS_FILE), which the aliyun CLI does not read.
	CredFile
	// CredOther: OIDC, the ECS RAM role or the credentials URI.
	CredOther
	// CredGiven: a provider handed to dmsticket in Config.Credentials (the
	// demo's key pair, a test's).
	CredGiven
)

// CredentialOrigin is where the credentials a client signs with came from:
// what the aliyun command needs to sign as the same identity.
type CredentialOrigin struct {
	Kind CredentialKind
	// Profile is the aliyun CLI profile (CredCLIProfile) or the credentials
	// file's section (CredFile).
	Profile string
	// File is the credentials file (CredFile).
	File string
	// Provider is the SDK's name for the provider that answered, as it sends
	// it in x-acs-credentials-provider ("default/env", "cli_profile/static_ak").
	Provider string
}

// FromProfile reports whether the credentials came from an aliyun CLI
// profile, which the aliyun command then names with --profile.
func (o CredentialOrigin) FromProfile() bool { return o.Kind == CredCLIProfile && o.Profile != "" }

// FromEnv reports whether the credentials came from the environment keys.
func (o CredentialOrigin) FromEnv() bool { return o.Kind == CredEnv }

// String is the source in a person's words.
func (o CredentialOrigin) String() string {
	switch o.Kind {
	case CredEnv:
		return "the environment variables ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET"
	case CredCLIProfile:
		return fmt.Sprintf("the aliyun CLI profile %q in ~/.aliyun/config.json", o.Profile)
	case CredFile:
		return fmt.Sprintf("the section [%s] of %s", o.Profile, o.File)
	case CredOther:
		return "the SDK's credential chain (" + o.Provider + ")"
	case CredGiven:
		return "a key pair given to dmsticket directly"
	}
	return "credentials not looked up yet"
}

// lockedProvider serialises a credentials provider (the SDK's default chain
// remembers the provider that worked in an unguarded field, and our pooled
// SDK clients share one provider) and remembers where the last credentials
// came from.
type lockedProvider struct {
	mu     sync.Mutex
	p      credentials.CredentialsProvider
	name   func(cc *credentials.Credentials) CredentialOrigin
	origin CredentialOrigin
}

// GetCredentials implements credentials.CredentialsProvider.
func (l *lockedProvider) GetCredentials() (*credentials.Credentials, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	cc, err := l.p.GetCredentials()
	// Named again only when another provider answered: naming a CLI
	// profile reads its config file.
	if err == nil && cc != nil && l.name != nil && (cc.ProviderName != l.origin.Provider || l.origin.Kind == CredUnknown) {
		l.origin = l.name(cc)
	}
	return cc, err
}

// GetProviderName implements credentials.CredentialsProvider.
func (l *lockedProvider) GetProviderName() string { return l.p.GetProviderName() }

// Origin is where the credentials last handed out came from.
func (l *lockedProvider) Origin() CredentialOrigin {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.origin
}

// newProvider picks the credentials provider a configuration asks for (an
// explicit one, the profile --profile names, or the SDK's default chain) and
// how to name the source of what it hands out.
func newProvider(cfg Config) *lockedProvider {
	switch {
	case cfg.Credentials != nil:
		return &lockedProvider{p: cfg.Credentials, origin: CredentialOrigin{Kind: CredGiven}, name: func(cc *credentials.Credentials) CredentialOrigin {
			return CredentialOrigin{Kind: CredGiven, Provider: cc.ProviderName}
		}}
	case cfg.Profile != "":
		return &lockedProvider{p: newProfileProvider(cfg.Profile), name: func(cc *credentials.Credentials) CredentialOrigin {
			o := CredentialOrigin{Kind: CredOther, Profile: cfg.Profile, Provider: cc.ProviderName}
			switch {
			case strings.HasPrefix(cc.ProviderName, "cli_profile/"):
				o.Kind = CredCLIProfile
			case strings.HasPrefix(cc.ProviderName, "profile/"):
				o.Kind, o.File = CredFile, credentialsFile()
			}
			return o
		}}
	}
	// The chain reads ALIBABA_CLOUD_PROFILE when it is built; so do we.
	envProfile := os.Getenv("ALIBABA_CLOUD_PROFILE")
	return &lockedProvider{p: credentials.NewDefaultCredentialsProvider(), name: func(cc *credentials.Credentials) CredentialOrigin {
		o := CredentialOrigin{Kind: CredOther, Provider: cc.ProviderName}
		inner := strings.TrimPrefix(cc.ProviderName, "default/")
		switch {
		case inner == "env":
			o.Kind = CredEnv
		case strings.HasPrefix(inner, "cli_profile/"):
			o.Kind, o.Profile = CredCLIProfile, envProfile
			if o.Profile == "" {
				if conf, err := readCLIConfig(); err == nil {
					o.Profile = conf.Current
				}
			}
		case strings.HasPrefix(inner, "profile/"):
			o.Kind, o.Profile, o.File = CredFile, envProfile, credentialsFile()
			if o.Profile == "" {
				o.Profile = "default"
			}
		}
		return o
	}}
}

// profileProvider is what --profile NAME means: the aliyun CLI profile NAME,
// else the section [NAME] of the credentials file. Once one of them has
// answered it is asked first. Callers serialise it (lockedProvider).
type profileProvider struct {
	name      string
	cli, file credentials.CredentialsProvider
	fileFirst bool
}

func newProfileProvider(name string) *profileProvider {
	return &profileProvider{
		name: name,
		cli:  credentials.NewCLIProfileCredentialsProviderBuilder().WithProfileName(name).Build(),
		file: credentials.NewProfileCredentialsProviderBuilder().WithProfileName(name).Build(),
	}
}

// GetCredentials implements credentials.CredentialsProvider.
func (p *profileProvider) GetCredentials() (*credentials.Credentials, error) {
	if p.fileFirst {
		if cc, err := p.file.GetCredentials(); err == nil {
			return cc, nil
		}
	}
	cc, errCLI := p.cli.GetCredentials()
	if errCLI == nil {
		p.fileFirst = false
		return cc, nil
	}
	cc, errFile := p.file.GetCredentials()
	if errFile == nil {
		p.fileFirst = true
		return cc, nil
	}
	return nil, fmt.Errorf("unable to get credentials for profile %q: aliyun CLI config: %v; credentials file %s: %v", p.name, errCLI, credentialsFile(), errFile)
}

// GetProviderName implements credentials.CredentialsProvider.
func (p *profileProvider) GetProviderName() string { return "profile_flag" }

// StaticCredentials is a fixed AccessKey pair (the demo's, a test's).
func StaticCredentials(id, secret string) credentials.CredentialsProvider {
	return credentials.NewStaticAKCredentialsProvider(id, secret)
}

// StaticSTSCredentials is a fixed STS key: a pair and its security token.
func StaticSTSCredentials(id, secret, token string) credentials.CredentialsProvider {
	return credentials.NewStaticSTSCredentialsProvider(id, secret, token)
}

// cliConfig is the part of the aliyun CLI's ~/.aliyun/config.json dmsticket
// reads itself: which profile is current and each profile's region.
type cliConfig struct {
	Current  string `json:"current"`
	Profiles []struct {
		Name     string `json:"name"`
		RegionID string `json:"region_id"`
	} `json:"profiles"`
}

// cliConfigPath is where the SDK reads the aliyun CLI config: $HOME, fixed
// in v1.63.
func cliConfigPath() string {
	return filepath.Join(os.Getenv("HOME"), ".aliyun", "config.json")
}

func readCLIConfig() (*cliConfig, error) {
	if os.Getenv("HOME") == "" {
		return nil, errors.New("no home directory")
	}
	b, err := os.ReadFile(cliConfigPath())
	if err != nil {
		return nil, err
	}
	var c cliConfig
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// profileRegion is the region_id of the aliyun CLI profile name, "" when
// there is none.
func (c *cliConfig) profileRegion(name string) string {
	for _, p := range c.Profiles {
		if p.Name == name {
			return p.RegionID
		}
	}
	return ""
}

// credentialsFile is the INI file the SDK reads profiles from.
func credentialsFile() string {
	if f := os.Getenv("ALIBABA_CLOUD_CREDENTIALS_FILE"); f != "" {
		return f
	}
	return "~/.alibabacloud/credentials"
}

func cliProfilesDisabled() bool {
	return strings.EqualFold(os.Getenv("ALIBABA_CLOUD_CLI_PROFILE_DISABLED"), "true")
}

// chainProfile is the aliyun CLI profile whose region_id counts as the
// default region: the one --profile names, or else the one the default chain
// would take its credentials from. Before the CLI config the chain tries the
// environment keys and OIDC; when either is there, no profile is used and
// the result is "".
func chainProfile(cfg Config) string {
	if cfg.Credentials != nil || cliProfilesDisabled() {
		return ""
	}
	if cfg.Profile != "" {
		return cfg.Profile
	}
	if os.Getenv("ALIBABA_CLOUD_ACCESS_KEY_ID") != "" && os.Getenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET") != "" {
		return ""
	}
	if _, err := credentials.NewOIDCCredentialsProviderBuilder().Build(); err == nil {
		return ""
	}
	if p := os.Getenv("ALIBABA_CLOUD_PROFILE"); p != "" {
		return p
	}
	if c, err := readCLIConfig(); err == nil {
		return c.Current
	}
	return ""
}

// resolveRegion is the region of a configuration and where it came from:
// Config.Region (--region), else ALIBABA_CLOUD_REGION_ID, else the region_id
// of the aliyun CLI profile chainProfile names, else DefaultRegion.
func resolveRegion(cfg Config) (region, from string) {
	if cfg.Region != "" {
		return cfg.Region, "--region"
	}
	if r := os.Getenv("ALIBABA_CLOUD_REGION_ID"); r != "" {
		return r, "ALIBABA_CLOUD_REGION_ID"
	}
	if name := chainProfile(cfg); name != "" {
		if c, err := readCLIConfig(); err == nil {
			if r := c.profileRegion(name); r != "" {
				return r, fmt.Sprintf("region_id of the aliyun CLI profile %q", name)
			}
		}
	}
	return DefaultRegion, "the default"
}

// CredentialsError explains that no usable credentials were found: which
// sources were tried and how to fix it.
type CredentialsError struct {
	Profile string // the --profile given, if any
	// EnvProfile is ALIBABA_CLOUD_PROFILE when no --profile was given: the
	// profile the chain looked for.
	EnvProfile string
	Tried      []string // the sources, in the order the SDK tries them
	Detail     string   // the SDK's own account of what failed
}

// Error implements error.
func (e *CredentialsError) Error() string {
	return "no Alibaba Cloud credentials found (tried: " + strings.Join(e.Tried, "; ") + ")"
}

// Fixes lists what the user can do, one line each. It suggests dropping
// --profile only when --profile was given.
func (e *CredentialsError) Fixes() []string {
	demo := "or run dmsticket --demo to try everything against the built-in simulator, without an account"
	switch {
	case e.Profile != "":
		return []string{
			fmt.Sprintf("create the profile: aliyun configure --profile %s   (or add a [%s] section to %s)", e.Profile, e.Profile, credentialsFile()),
			"or drop --profile to use the environment variables or the current aliyun CLI profile",
			demo,
		}
	case e.EnvProfile != "":
		return []string{
			fmt.Sprintf("ALIBABA_CLOUD_PROFILE=%s names a profile in neither ~/.aliyun/config.json nor %s: create it with aliyun configure --profile %s, or unset ALIBABA_CLOUD_PROFILE", e.EnvProfile, credentialsFile(), e.EnvProfile),
			"or set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (and ALIBABA_CLOUD_SECURITY_TOKEN for STS); they come first",
			demo,
		}
	}
	return []string{
		"run: aliyun configure   (writes ~/.aliyun/config.json, which dmsticket reads)",
		"or set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (and ALIBABA_CLOUD_SECURITY_TOKEN for STS)",
		"or pick a profile with --profile NAME (or ALIBABA_CLOUD_PROFILE)",
		demo,
	}
}

// CredentialSources lists, in a person's words and in order, where
// credentials are looked for: with a --profile, the two places that profile
// may be; without, the SDK's default chain.
func CredentialSources(profile string) []string {
	if profile != "" {
		var src []string
		if !cliProfilesDisabled() {
			src = append(src, fmt.Sprintf("aliyun CLI profile %q in ~/.aliyun/config.json", profile))
		}
		return append(src, fmt.Sprintf("section [%s] of the credentials file %s", profile, credentialsFile()))
	}
	src := []string{"environment variables ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET"}
	if os.Getenv("ALIBABA_CLOUD_OIDC_TOKEN_FILE") != "" {
		src = append(src, "OIDC token file (ALIBABA_CLOUD_OIDC_TOKEN_FILE)")
	}
	env := os.Getenv("ALIBABA_CLOUD_PROFILE")
	if !cliProfilesDisabled() {
		p := "the current one"
		if env != "" {
			p = fmt.Sprintf("%q, from ALIBABA_CLOUD_PROFILE", env)
		}
		src = append(src, "aliyun CLI profile ("+p+") in ~/.aliyun/config.json")
	}
	section := "[default]"
	if env != "" {
		section = "[" + env + "], from ALIBABA_CLOUD_PROFILE,"
	}
	src = append(src, "section "+section+" of the credentials file "+credentialsFile())
	if os.Getenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED") != "true" {
		src = append(src, "ECS RAM role (instance metadata)")
	}
	if os.Getenv("ALIBABA_CLOUD_CREDENTIALS_URI") != "" {
		src = append(src, "credentials URI (ALIBABA_CLOUD_CREDENTIALS_URI)")
	}
	return src
}

// CheckCredentials asks for credentials without calling DMS. It returns a
// *CredentialsError when none are found. Secrets stay inside the SDK.
func (c *Client) CheckCredentials() error {
	if _, err := c.provider.GetCredentials(); err != nil {
		e := &CredentialsError{Profile: c.cfg.Profile, Tried: CredentialSources(c.cfg.Profile), Detail: credentialMessage(err.Error())}
		if e.Profile == "" && c.cfg.Credentials == nil {
			e.EnvProfile = os.Getenv("ALIBABA_CLOUD_PROFILE")
		}
		return e
	}
	return nil
}

// CredentialOrigin is where the client's credentials came from, known once
// they were asked for (CheckCredentials, or any call).
func (c *Client) CredentialOrigin() CredentialOrigin { return c.provider.Origin() }

func isCredentialError(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "unable to get credentials") || strings.Contains(m, "credential") && (strings.Contains(m, "not found") || strings.Contains(m, "empty") || strings.Contains(m, "invalid") || strings.Contains(m, "unable"))
}

// credentialMessage shortens the SDK's chain error. The SDK reports which
// providers failed and why, except that v1.63 quotes the whole of an aliyun
// CLI config it cannot parse, secrets included: that quote is cut.
func credentialMessage(msg string) string {
	msg = strings.TrimPrefix(msg, "unable to get credentials from any of the providers in the chain: ")
	const unparsable = "unmarshal aliyun cli config from '"
	if i := strings.Index(msg, unparsable); i >= 0 {
		if j := strings.Index(msg[i+len(unparsable):], "' failed: "); j >= 0 {
			msg = msg[:i+len(unparsable)+j] + "' failed: it is not valid JSON (its content is not shown)"
		}
	}
	if len(msg) > 600 {
		msg = msg[:600] + "…"
	}
	return msg
}
