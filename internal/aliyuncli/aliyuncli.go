// Package aliyuncli models, for tests, how the aliyun CLI (v3.4.11) reads an
// OpenAPI command line and which endpoint, region and key pair it then uses.
// dmsticket's tests run the printed aliyun command through it to check that
// the command runs as printed.
//
// The rules follow the CLI's source: cli/parser.go and cli/flag.go (a word
// starting with "-" is a flag, "--Name=value" and "--Name value" assign, the
// first "=" or ":" ends a flag's name, an empty "--Name=" takes the next
// word), config/flags.go and openapi/flags.go (the CLI's own flags and how
// many values each takes), config/configuration.go and config/profile.go
// (the profile: --profile, else ALIBABA_CLOUD_PROFILE, else the config's
// current one; ALIBABA_CLOUD_IGNORE_PROFILE=TRUE ignores the config; the
// environment keys fill in only what the profile leaves empty; the region is
// --region, else the profile's region_id, else ALIBABA_CLOUD_REGION_ID) and
// openapi/rpc.go (--insecure is plain HTTP). It is a model, not the CLI: it
// knows the flags dmsticket's command can meet and refuses the rest.
package aliyuncli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// mode is how many values a flag takes (cli.AssignedMode).
type mode int

const (
	assignedNone    mode = -1 // a switch
	assignedDefault mode = 0  // a value, optional (API parameters, --profile)
	assignedOnce    mode = 1  // exactly one value
)

// cliFlags are the CLI's own flags dmsticket's command may use, with their
// modes and shorthands.
var cliFlags = map[string]mode{"profile": assignedDefault, "region": assignedOnce, "endpoint": assignedOnce, "insecure": assignedNone, "secure": assignedNone}

var shorthands = map[rune]string{'p': "profile", 'e': "endpoint"}

// otherCLIFlags are further flags of the CLI (config/flags.go, openapi/flags.go):
// a word naming one of them would change what the CLI does, so the model
// refuses it.
var otherCLIFlags = strings.Fields(`mode access-key-id access-key-secret sts-token sts-region sts-endpoint
	ram-role-name ram-role-arn role-session-name external-id source-profile private-key key-pair-name RegionId
	language read-timeout connect-timeout retry-count skip-secure-verify config-path expired-seconds
	process-command oidc-provider-arn oidc-token-file cloud-sso-sign-in-url cloud-sso-access-config
	cloud-sso-account-id oauth-site-type endpoint-type external-account-type auto-plugin-install
	auto-plugin-install-enable-pre bearer-token bearer-token-header-key force version header body body-file
	pager accept output waiter dryrun cli-dry-run cli-dry-run-json estimate-cost estimate-cost-context quiet
	log-level yes cli-query roa method user-agent cli-ai-mode cli-no-ai-mode`)

type flag struct {
	name     string
	mode     mode
	value    string
	assigned bool
}

func (f *flag) needValue() bool {
	if f.mode == assignedNone {
		return false
	}
	return f.value == ""
}

func (f *flag) assign(v string) error {
	if f.mode == assignedNone {
		return fmt.Errorf("flag --%s can't be assigned", f.name)
	}
	f.assigned, f.value = true, v
	return nil
}

// Invocation is what the CLI makes of a command line.
type Invocation struct {
	// Env holds the NAME=value assignments before the command.
	Env map[string]string
	// Args are the positional words: product and API.
	Args []string
	// Flags are the CLI's own flags given (insecure as ""), Params the API
	// parameters (the flags the CLI does not know).
	Flags, Params map[string]string
	// ParamOrder lists Params in command-line order.
	ParamOrder []string
}

var assignment = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)

// Parse reads shell words (as a POSIX shell split them) the way the CLI
// does. It fails where the CLI would, and where a word would be read as a
// flag other than the ones above.
func Parse(words []string) (Invocation, error) {
	inv := Invocation{Env: map[string]string{}, Flags: map[string]string{}, Params: map[string]string{}}
	for len(words) > 0 && assignment.MatchString(words[0]) {
		k, v, _ := strings.Cut(words[0], "=")
		inv.Env[k] = v
		words = words[1:]
	}
	if len(words) == 0 || words[0] != "aliyun" {
		return inv, fmt.Errorf("the command is not aliyun: %q", words)
	}
	flags := map[string]*flag{}
	var order []string
	detect := func(name string) (*flag, error) {
		if f, ok := flags[name]; ok {
			if f.assigned || f.mode == assignedNone {
				return nil, fmt.Errorf("--%s duplicated", name)
			}
			return f, nil
		}
		for _, o := range otherCLIFlags {
			if o == name {
				return nil, fmt.Errorf("--%s is an aliyun CLI flag the model does not expect", name)
			}
		}
		m, known := cliFlags[name]
		if !known {
			m = assignedDefault // an unknown flag: an API parameter
			order = append(order, name)
		}
		f := &flag{name: name, mode: m}
		flags[name] = f
		return f, nil
	}
	var current *flag
	for _, s := range words[1:] {
		var f *flag
		value := s
		prefix, v, hasValue := splitAny(s, "=:")
		if strings.HasPrefix(prefix, "-") {
			value = ""
			if hasValue {
				value = v
			}
			switch {
			case strings.HasPrefix(prefix, "---"):
				value = s // three dashes: a value (certificates and the like)
			case strings.HasPrefix(prefix, "--"):
				if len(prefix) == 2 {
					return inv, fmt.Errorf("not support '--' in command line (word %q)", s)
				}
				var err error
				if f, err = detect(prefix[2:]); err != nil {
					return inv, fmt.Errorf("word %q: %w", s, err)
				}
			case len(prefix) == 2:
				name, ok := shorthands[rune(prefix[1])]
				if !ok {
					return inv, fmt.Errorf("word %q is read as the shorthand flag %s", s, prefix)
				}
				var err error
				if f, err = detect(name); err != nil {
					return inv, fmt.Errorf("word %q: %w", s, err)
				}
			default:
				return inv, fmt.Errorf("not support flag form %s (word %q)", prefix, s)
			}
		}
		if f == nil {
			if current != nil {
				if err := current.assign(value); err != nil {
					return inv, err
				}
				if !current.needValue() {
					current = nil
				}
			} else {
				inv.Args = append(inv.Args, value)
			}
			continue
		}
		if current != nil {
			if current.mode == assignedOnce && current.value == "" {
				return inv, fmt.Errorf("--%s must be assigned with value", current.name)
			}
			current = nil
		}
		f.assigned = true
		if value != "" {
			if err := f.assign(value); err != nil {
				return inv, err
			}
		} else if f.needValue() {
			current = f
		}
	}
	if current != nil && current.mode == assignedOnce && current.value == "" {
		return inv, fmt.Errorf("--%s must be assigned with value", current.name)
	}
	for name, f := range flags {
		if _, known := cliFlags[name]; known {
			inv.Flags[name] = f.value
		} else {
			inv.Params[name] = f.value
		}
	}
	inv.ParamOrder = order
	if len(inv.Args) != 2 {
		return inv, fmt.Errorf("positional words %q, want product and API", inv.Args)
	}
	if known, ok := apiParams[inv.Args[0]+" "+inv.Args[1]]; ok {
		for _, name := range order {
			if !strings.Contains(" "+known+" ", " "+name+" ") {
				return inv, fmt.Errorf("'--%s' is not a valid parameter or flag (openapi/rpc.go InvalidParameterError)", name)
			}
		}
	}
	return inv, nil
}

// apiParams are the parameters of the APIs the model knows, from the CLI's
// API metadata: an unknown flag that is none of them is refused.
var apiParams = map[string]string{
	"dms-enterprise CreateOrder": "Tid PluginType PluginParam RelatedUserList AttachmentKey Comment RealLoginUserUid",
}

// splitAny is the CLI's SplitStringWithPrefix: s cut at the first of seps.
func splitAny(s, seps string) (string, string, bool) {
	i := strings.IndexAny(s, seps)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+1:], true
}

// Request is where the CLI sends the call and as whom.
type Request struct {
	Scheme, Host, Region string
	Profile              string // the config profile used; "" when ignored
	AccessKeyID          string
	SecurityToken        string
}

// cliProfile is one profile of ~/.aliyun/config.json.
type cliProfile struct {
	Name            string `json:"name"`
	Mode            string `json:"mode"`
	AccessKeyID     string `json:"access_key_id"`
	AccessKeySecret string `json:"access_key_secret"`
	StsToken        string `json:"sts_token"`
	RegionID        string `json:"region_id"`
}

// Resolve is the endpoint, region and key the CLI would use for the
// invocation, given the environment (the shell's, overlaid with the
// command's assignments) and the home directory holding .aliyun/config.json.
func (inv Invocation) Resolve(env map[string]string, home string) (Request, error) {
	getenv := func(keys ...string) string {
		for _, k := range keys {
			if v, ok := inv.Env[k]; ok && v != "" {
				return v
			}
			if v := env[k]; v != "" {
				return v
			}
		}
		return ""
	}
	var p cliProfile
	ignored := getenv("ALIBABA_CLOUD_IGNORE_PROFILE", "ALIBABACLOUD_IGNORE_PROFILE") == "TRUE"
	if ignored {
		p = cliProfile{Name: "default", RegionID: "cn-hangzhou"}
	} else {
		name, given := inv.Flags["profile"]
		if !given {
			name = getenv("ALIBABACLOUD_PROFILE", "ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE")
		}
		var conf struct {
			Current  string       `json:"current"`
			Profiles []cliProfile `json:"profiles"`
		}
		b, err := os.ReadFile(filepath.Join(home, ".aliyun", "config.json"))
		switch {
		case err == nil:
			if err := json.Unmarshal(b, &conf); err != nil {
				return Request{}, err
			}
		case os.IsNotExist(err):
			conf.Current, conf.Profiles = "default", []cliProfile{{Name: "default"}}
		default:
			return Request{}, err
		}
		if name == "" {
			name = conf.Current
		}
		found := false
		for _, cp := range conf.Profiles {
			if cp.Name == name {
				p, found = cp, true
			}
		}
		if !found {
			return Request{}, fmt.Errorf("unknown profile %s, run configure to check", name)
		}
	}
	if r, ok := inv.Flags["region"]; ok && r != "" {
		p.RegionID = r
	}
	if p.AccessKeyID == "" {
		p.AccessKeyID = getenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABACLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY_ID", "ACCESS_KEY_ID")
	}
	if p.AccessKeySecret == "" {
		p.AccessKeySecret = getenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABACLOUD_ACCESS_KEY_SECRET", "ALICLOUD_ACCESS_KEY_SECRET", "ACCESS_KEY_SECRET")
	}
	if p.StsToken == "" {
		p.StsToken = getenv("ALIBABA_CLOUD_SECURITY_TOKEN", "ALIBABACLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN", "SECURITY_TOKEN")
	}
	if p.RegionID == "" {
		p.RegionID = getenv("ALIBABA_CLOUD_REGION_ID", "ALIBABACLOUD_REGION_ID", "ALICLOUD_REGION_ID", "REGION_ID", "REGION")
	}
	if p.Mode == "" && p.AccessKeyID != "" && p.AccessKeySecret != "" {
		p.Mode = "AK"
		if p.StsToken != "" {
			p.Mode = "StsToken"
		}
	}
	switch {
	case p.RegionID == "":
		return Request{}, fmt.Errorf("region can't be empty")
	case p.Mode != "AK" && p.Mode != "StsToken":
		return Request{}, fmt.Errorf("profile %s is not configured (mode %q)", p.Name, p.Mode)
	case p.AccessKeyID == "" || p.AccessKeySecret == "":
		return Request{}, fmt.Errorf("access_key_id is not configured for profile '%s'", p.Name)
	}
	req := Request{Scheme: "https", Region: p.RegionID, AccessKeyID: p.AccessKeyID, Host: inv.Flags["endpoint"]}
	if p.Mode == "StsToken" {
		req.SecurityToken = p.StsToken
	}
	if _, ok := inv.Flags["insecure"]; ok {
		req.Scheme = "http"
	}
	if !ignored {
		req.Profile = p.Name
	}
	if req.Host == "" {
		req.Host = getenv("ALIBABA_CLOUD_ENDPOINT")
	}
	if req.Host == "" {
		return Request{}, fmt.Errorf("no --endpoint: the CLI would pick its own endpoint for the product")
	}
	return req, nil
}
