package dms

import "strings"

// Env is a DMS environment type (EnvType) of an instance or database.
type Env string

// The environment types DMS knows. Product and Pre are the online environments.
const (
	EnvProduct Env = "product"
	EnvPre     Env = "pre"
	EnvDev     Env = "dev"
	EnvTest    Env = "test"
	EnvSIT     Env = "sit"
	EnvUAT     Env = "uat"
	EnvPET     Env = "pet"
	EnvStag    Env = "stag"
)

// Envs lists every environment type, online ones first.
var Envs = []Env{EnvProduct, EnvPre, EnvDev, EnvTest, EnvSIT, EnvUAT, EnvPET, EnvStag}

// ParseEnv reads an environment type case-insensitively. ok is false for a value
// DMS does not define.
func ParseEnv(s string) (e Env, ok bool) {
	e = Env(strings.ToLower(strings.TrimSpace(s)))
	for _, known := range Envs {
		if e == known {
			return e, true
		}
	}
	return e, false
}

// Online reports whether the environment is an online one (production or
// pre-release), where a ticket needs the schema name typed to confirm.
func (e Env) Online() bool { return e == EnvProduct || e == EnvPre }

// Label is the environment in a person's words.
func (e Env) Label() string {
	switch e {
	case EnvProduct:
		return "production"
	case EnvPre:
		return "pre-release"
	case EnvDev:
		return "development"
	case EnvTest:
		return "test"
	case EnvSIT:
		return "system integration test"
	case EnvUAT:
		return "user acceptance test"
	case EnvPET:
		return "performance test"
	case EnvStag:
		return "staging"
	}
	if e == "" {
		return "unknown environment"
	}
	return string(e)
}

// EnvFilter narrows a database list by environment.
type EnvFilter int

// The filters the database step cycles through.
const (
	FilterAll EnvFilter = iota
	FilterOnline
	FilterOffline
)

// String names the filter as the UI shows it.
func (f EnvFilter) String() string {
	switch f {
	case FilterOnline:
		return "online"
	case FilterOffline:
		return "offline"
	}
	return "all"
}

// Next is the filter after f in the cycle all, online, offline.
func (f EnvFilter) Next() EnvFilter { return (f + 1) % 3 }

// Match reports whether a database in environment e passes the filter.
func (f EnvFilter) Match(e Env) bool {
	switch f {
	case FilterOnline:
		return e.Online()
	case FilterOffline:
		return !e.Online()
	}
	return true
}
