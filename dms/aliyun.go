package dms

import (
	"fmt"
	"strconv"
	"strings"
)

// Target is where and as whom a request is sent: what the aliyun command
// needs, beyond the request, to send the same request as the same identity.
// (*Client).Target gives a client's.
type Target struct {
	Region      string // empty: DefaultRegion
	Endpoint    string // URL; empty: https://dms-enterprise.<region>.aliyuncs.com
	Credentials CredentialOrigin
}

// ignoreProfile makes the aliyun CLI ignore its config file and take the key
// pair from the environment variables, as dmsticket did: without it, the
// CLI signs with its current profile even when the variables are set.
const ignoreProfile = "ALIBABA_CLOUD_IGNORE_PROFILE=TRUE"

// cliWord is one flag of the aliyun command, or a bare word when name is
// empty.
type cliWord struct {
	name, value string
	noValue     bool // a switch (--insecure)
}

// aliyunWords is the command before quoting.
func aliyunWords(r OrderRequest, to Target) []cliWord {
	var w []cliWord
	bare := func(s string) { w = append(w, cliWord{value: s}) }
	flag := func(name, value string) { w = append(w, cliWord{name: name, value: value}) }
	if k := to.Credentials.Kind; k == CredEnv || k == CredGiven {
		bare(ignoreProfile)
	}
	bare("aliyun")
	bare("dms-enterprise")
	bare(r.Op())
	if to.Credentials.FromProfile() {
		flag("profile", to.Credentials.Profile)
	}
	region := to.Region
	if region == "" {
		region = DefaultRegion
	}
	flag("region", region)
	// The CLI finds its own endpoint for a product and region (and honours
	// ALIBABA_CLOUD_ENDPOINT): name dmsticket's, always.
	if scheme, host, err := ParseEndpoint(to.Endpoint, region); err == nil {
		flag("endpoint", host)
		if scheme == "HTTP" {
			w = append(w, cliWord{name: "insecure", noValue: true})
		}
	}
	if r.Tid != 0 {
		flag("Tid", strconv.FormatInt(r.Tid, 10))
	}
	if r.Op() == OpCreateOrder {
		flag("PluginType", r.PluginType)
	}
	flag(r.ParamName(), PluginParamJSON(r.Params()))
	flag("Comment", r.Comment)
	switch {
	case r.Op() == OpCreateDataCorrectOrder:
		// Always, as the SDK sends it: a JSON array of the IDs as strings.
		flag("RelatedUserList", r.RelatedUserJSON())
	case r.RelatedUserList != "":
		flag("RelatedUserList", r.RelatedUserList)
	}
	if r.AttachmentKey != "" {
		flag("AttachmentKey", r.AttachmentKey)
	}
	return w
}

// quoted is the word as the shell reads it. The aliyun CLI reads a word
// that starts with "-" after --Name as the next flag, so such a value is
// written --Name=value; an empty value cannot be (--Name= would take the
// next word), and is written as --Name followed by an empty quoted word.
func (c cliWord) quoted() string {
	switch {
	case c.name == "":
		return ShellQuote(c.value)
	case c.noValue:
		return "--" + c.name
	case strings.HasPrefix(c.value, "-"):
		return "--" + c.name + "=" + ShellQuote(c.value)
	}
	return "--" + c.name + " " + ShellQuote(c.value)
}

// AliyunArgs is the aliyun CLI command that sends the same CreateOrder
// request to the same endpoint as the same identity, as shell-quoted words
// for a POSIX shell (bash, zsh). A flag and its value are one element
// ("--Comment 'x y'", "--Comment='-- urgent'", "--insecure"), so laying
// the command out one element per line never splits a value from its flag.
func AliyunArgs(r OrderRequest, to Target) []string {
	words := aliyunWords(r, to)
	out := make([]string, 0, len(words))
	for _, w := range words {
		out = append(out, w.quoted())
	}
	return out
}

// AliyunCommand is the aliyun command on one line: pasted into a POSIX shell
// it makes the real aliyun CLI send exactly dmsticket's request
// (PRODUCT section 9). AliyunCredentialsNote says which identity it signs as.
func AliyunCommand(r OrderRequest, to Target) string {
	return strings.Join(AliyunArgs(r, to), " ")
}

// AliyunCommandLines is the aliyun command laid out for a screen: the command
// name on the first line, then one flag with its value per line, every line
// but the last ending in " \" so that it still pastes as one command. A value
// with newlines spans lines inside its quotes, as it must; no line is broken
// anywhere else, so a screen too narrow for a line must scroll, not wrap.
func AliyunCommandLines(r OrderRequest, to Target) string {
	args := AliyunArgs(r, to)
	var lines []string
	head := []string{}
	i := 0
	for ; i < len(args) && !strings.HasPrefix(args[i], "--"); i++ {
		head = append(head, args[i])
	}
	lines = append(lines, strings.Join(head, " "))
	for ; i < len(args); i++ {
		lines = append(lines, "  "+args[i])
	}
	return strings.Join(lines, " \\\n")
}

// AliyunCredentialsNote says, in one sentence, which identity the aliyun
// command signs as and what, if anything, the user must do for it to be
// dmsticket's: nothing for a profile (--profile names it) or the environment
// keys (ALIBABA_CLOUD_IGNORE_PROFILE=TRUE makes the CLI take them); for other
// sources, which the CLI cannot name, what to set up.
func AliyunCredentialsNote(to Target) string {
	o := to.Credentials
	switch o.Kind {
	case CredCLIProfile:
		if o.Profile != "" {
			return fmt.Sprintf("Credentials: the aliyun CLI profile %q (--profile %s), as dmsticket used.", o.Profile, o.Profile)
		}
	case CredEnv:
		return "Credentials: no --profile; dmsticket signed with the environment variables ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET, and " +
			ignoreProfile + " makes the aliyun CLI use them too (not its current profile): run it where they are set."
	case CredGiven:
		return "Credentials: no --profile; dmsticket signed with a key pair given to it directly (the demo's own): set ALIBABA_CLOUD_ACCESS_KEY_ID and " +
			"ALIBABA_CLOUD_ACCESS_KEY_SECRET to that pair, which " + ignoreProfile + " makes the aliyun CLI use."
	case CredFile:
		return fmt.Sprintf("Credentials: dmsticket signed with the section [%s] of %s, which the aliyun CLI does not read: "+
			"configure the same key as an aliyun CLI profile (aliyun configure --profile %s) and add --profile %s.", o.Profile, o.File, o.Profile, o.Profile)
	case CredOther:
		return "Credentials: no --profile; dmsticket signed with " + o.String() + ", which the aliyun CLI cannot be pointed at: " +
			"it signs with its own current profile, which may be another identity."
	}
	return "Credentials: no --profile; which credentials dmsticket signs with is not known yet, and the aliyun CLI signs with its own current profile."
}

// ShellQuote quotes s for a POSIX shell: words made only of safe characters
// stay bare, anything else goes in single quotes, a ' inside written as
// quote, backslash, quote, quote. A word starting with = is quoted too (zsh
// expands =cmd to the path of cmd).
func ShellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := !strings.HasPrefix(s, "=")
	for _, r := range s {
		if !safe {
			break
		}
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:,=@%+", r)) {
			safe = false
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
