package dms

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// AliyunCommand is the aliyun CLI command that sends the same CreateOrder
// request, quoted for a POSIX shell (bash, zsh) so that pasting it runs
// exactly this request. endpoint is added when it is not the region's
// default.
func AliyunCommand(r OrderRequest, region, endpoint string) string {
	return strings.Join(AliyunArgs(r, region, endpoint), " ")
}

// AliyunArgs is AliyunCommand as shell-quoted words, for callers that lay the
// command out over several lines.
func AliyunArgs(r OrderRequest, region, endpoint string) []string {
	args := []string{"aliyun", "dms-enterprise", "CreateOrder"}
	if region != "" {
		args = append(args, "--region", region)
	}
	if endpoint != "" {
		if _, host, err := ParseEndpoint(endpoint, region); err == nil && host != "dms-enterprise."+region+".aliyuncs.com" {
			args = append(args, "--endpoint", host)
		}
	}
	if r.Tid != 0 {
		args = append(args, "--Tid", strconv.FormatInt(r.Tid, 10))
	}
	args = append(args, "--PluginType", r.PluginType, "--PluginParam", compactJSON(r.PluginParam), "--Comment", r.Comment)
	if r.RelatedUserList != "" {
		args = append(args, "--RelatedUserList", r.RelatedUserList)
	}
	if r.AttachmentKey != "" {
		args = append(args, "--AttachmentKey", r.AttachmentKey)
	}
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = ShellQuote(a)
	}
	return quoted
}

// compactJSON is PluginParam as one line of JSON with <, > and & readable
// (the same JSON value the SDK sends).
func compactJSON(m map[string]any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(m)
	return strings.TrimSuffix(buf.String(), "\n")
}

// ShellQuote quotes s for a POSIX shell: words made only of safe characters
// stay bare, anything else goes in single quotes with ' written as '\”.
func ShellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:,=@%+", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
