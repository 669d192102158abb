package server

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	gossh "golang.org/x/crypto/ssh"
)

// HostKey is the server's ed25519 host key: read from its file, or created
// there (mode 0600, with a .pub beside it) on first start.
type HostKey struct {
	Signer gossh.Signer
	// Created says the key was made by this start.
	Created bool
	Path    string
}

// Fingerprint is the key's SHA256 fingerprint, as ssh shows it on first
// connect.
func (k HostKey) Fingerprint() string { return gossh.FingerprintSHA256(k.Signer.PublicKey()) }

// LoadOrCreateHostKey reads the host key at path, or creates an ed25519 key
// there if no file exists. An existing key that others can read is refused:
// whoever reads it can impersonate the server.
func LoadOrCreateHostKey(path string) (HostKey, error) {
	if path == "" {
		return HostKey{}, errors.New("no host key path: pass --host-key PATH (created on first start)")
	}
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		st, err := os.Stat(path)
		if err != nil {
			return HostKey{}, err
		}
		if st.Mode().Perm()&0o077 != 0 {
			return HostKey{}, fmt.Errorf("host key %s can be read by others (mode %04o); whoever reads it can pose as this server: chmod 600 %s", path, st.Mode().Perm(), path)
		}
		signer, err := gossh.ParsePrivateKey(data)
		if err != nil {
			return HostKey{}, fmt.Errorf("host key %s: %v (an OpenSSH private key without passphrase is expected)", path, err)
		}
		return HostKey{Signer: signer, Path: path}, nil
	case !errors.Is(err, os.ErrNotExist):
		return HostKey{}, fmt.Errorf("reading the host key: %w", err)
	}
	signer, err := createHostKey(path)
	if err != nil {
		return HostKey{}, err
	}
	return HostKey{Signer: signer, Created: true, Path: path}, nil
}

// createHostKey writes a new ed25519 key to path (mode 0600, never over an
// existing file) and its public half to path.pub.
func createHostKey(path string) (gossh.Signer, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("creating the host key's directory: %w", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := gossh.MarshalPrivateKey(priv, "dmsticket host key")
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("creating the host key: %w", err)
	}
	if _, err := f.Write(pem.EncodeToMemory(block)); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("writing the host key: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("writing the host key: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		return nil, err
	}
	pub := gossh.MarshalAuthorizedKey(signer.PublicKey())
	// The public half is for publishing (known_hosts lines); failing to write
	// it does not stop the server.
	_ = os.WriteFile(path+".pub", pub, 0o644)
	return signer, nil
}
