// Package enginetest starts throwaway database servers for tests: MariaDB
// (mariadb-install-db, mariadbd) and PostgreSQL (initdb, postgres), each in
// a temporary directory of its own, listening on a free loopback port, run
// as the unprivileged user nobody when the test runs as root. A server
// whose programs are not installed is a *MissingError saying how to
// install them.
package enginetest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// RequiredEnv is the variable that turns a missing engine from a skip into
// a failure (.ci/run sets it to "required").
const RequiredEnv = "DMSTICKET_ENGINE_TESTS"

// Required reports whether the engine tests must run.
func Required() bool { return os.Getenv(RequiredEnv) == "required" }

// User and Password are the account each server is started with; it may do
// everything.
const (
	User     = "dms"
	Password = "dms-test-password"
	// PostgresDatabase is the database a PostgreSQL server's DSN names.
	PostgresDatabase = "dmsticket"
)

// startTimeout bounds a server's start: past it the start is a failure.
const startTimeout = 90 * time.Second

// MissingError says that an engine's programs are not installed.
type MissingError struct {
	Engine  string // "MariaDB" or "PostgreSQL"
	Program string // the program not found
}

func (e *MissingError) Error() string {
	return fmt.Sprintf("%s is not installed (no %s found): apt-get install mariadb-server postgresql", e.Engine, e.Program)
}

// Server is a running database server.
type Server struct {
	// Engine is "MariaDB" or "PostgreSQL".
	Engine string
	// DSN is the address `dmsticket sim --engine` takes:
	// mysql://dms:…@127.0.0.1:PORT or postgres://dms:…@127.0.0.1:PORT/dmsticket.
	DSN string
	// Addr is host:port.
	Addr string
	// DB is an administrative connection pool (database/sql): for MariaDB
	// with no database chosen, for PostgreSQL on PostgresDatabase.
	DB *sql.DB

	dir  string
	cmd  *exec.Cmd
	done chan error
	log  string
}

// Stop stops the server and removes its directory.
func (s *Server) Stop() error {
	if s.DB != nil {
		s.DB.Close()
	}
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
			s.cmd.Process.Kill()
			<-s.done
		}
	}
	return os.RemoveAll(s.dir)
}

// Log is the tail of the server's log, for a failure's message.
func (s *Server) Log() string { return tail(s.log, 2000) }

func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// find looks a program up on PATH, then in the given directories (globs).
func find(engine, program string, dirs ...string) (string, error) {
	if p, err := exec.LookPath(program); err == nil {
		return p, nil
	}
	var found []string
	for _, d := range dirs {
		m, _ := filepath.Glob(filepath.Join(d, program))
		found = append(found, m...)
	}
	if len(found) == 0 {
		return "", &MissingError{Engine: engine, Program: program}
	}
	sort.Strings(found) // /usr/lib/postgresql/15/bin before …/17/bin: take the newest
	return found[len(found)-1], nil
}

// runAs is how the server's programs run: as nobody when we are root
// (PostgreSQL refuses root, MariaDB wants --user), else as ourselves.
type runAs struct {
	cred     *syscall.Credential
	uid, gid int
}

func unprivileged() (runAs, error) {
	if os.Geteuid() != 0 {
		return runAs{uid: -1, gid: -1}, nil
	}
	u, err := user.Lookup("nobody")
	if err != nil {
		return runAs{}, fmt.Errorf("running as root, the database servers run as nobody, who is not a user here: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return runAs{cred: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, uid: uid, gid: gid}, nil
}

func (r runAs) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	// The server dies with the test binary, whatever ends it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: r.cred, Pdeathsig: syscall.SIGKILL}
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "TZ=UTC")
	return cmd
}

// mkdir makes a directory the server's user owns.
func (r runAs) mkdir(pattern string) (string, error) {
	dir, err := os.MkdirTemp("", pattern)
	if err != nil {
		return "", err
	}
	if r.cred != nil {
		if err := os.Chown(dir, r.uid, r.gid); err != nil {
			os.RemoveAll(dir)
			return "", err
		}
	}
	return dir, nil
}

func (r runAs) writeFile(path, text string) error {
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		return err
	}
	if r.cred != nil {
		return os.Chown(path, r.uid, r.gid)
	}
	return nil
}

// freePort is a loopback port nothing listens on now.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// newServer is a Server for engine in a new directory of its own (pattern
// as os.MkdirTemp takes it), owned by as, the account it runs as.
func newServer(engine, pattern string) (s *Server, as runAs, err error) {
	if as, err = unprivileged(); err != nil {
		return nil, as, err
	}
	dir, err := as.mkdir(pattern)
	if err != nil {
		return nil, as, err
	}
	return &Server{Engine: engine, dir: dir, log: filepath.Join(dir, "server.log")}, as, nil
}

// pickPort sets Addr to a free loopback port, and returns the port.
func (s *Server) pickPort() (string, error) {
	port, err := freePort()
	if err != nil {
		return "", err
	}
	s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	return strconv.Itoa(port), nil
}

// start runs the server in the background and waits until ping succeeds.
func (s *Server) start(ctx context.Context, cmd *exec.Cmd, ping func(context.Context) error) error {
	logf, err := os.Create(s.log)
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return err
	}
	s.cmd, s.done = cmd, make(chan error, 1)
	go func() { s.done <- cmd.Wait(); logf.Close() }()
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	for {
		pctx, pcancel := context.WithTimeout(ctx, 5*time.Second)
		err := ping(pctx)
		pcancel()
		if err == nil {
			return nil
		}
		select {
		case werr := <-s.done:
			s.done <- werr
			return fmt.Errorf("%s exited while starting (%v):\n%s", s.Engine, werr, s.Log())
		case <-ctx.Done():
			return fmt.Errorf("%s did not answer within %s (%v):\n%s", s.Engine, startTimeout, err, s.Log())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// StartMariaDB initialises a MariaDB data directory and starts mariadbd on
// a free loopback port, with the account User/Password.
func StartMariaDB(ctx context.Context) (*Server, error) {
	server, err := find("MariaDB", "mariadbd", "/usr/sbin", "/usr/local/sbin", "/usr/local/mysql/bin")
	if err != nil {
		return nil, err
	}
	install, err := find("MariaDB", "mariadb-install-db", "/usr/bin", "/usr/local/bin", "/usr/local/mysql/scripts")
	if err != nil {
		return nil, err
	}
	s, as, err := newServer("MariaDB", "dmsticket-mariadb-*")
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Server, error) { s.Stop(); return nil, err }
	data := filepath.Join(s.dir, "data")
	out, err := as.command(ctx, install, "--no-defaults", "--datadir="+data, "--auth-root-authentication-method=normal",
		"--skip-test-db", "--skip-name-resolve").CombinedOutput()
	if err != nil {
		return fail(fmt.Errorf("mariadb-install-db: %v:\n%s", err, out))
	}
	initFile := filepath.Join(s.dir, "init.sql")
	if err := as.writeFile(initFile, fmt.Sprintf(
		"CREATE USER IF NOT EXISTS '%[1]s'@'127.0.0.1' IDENTIFIED BY '%[2]s';\nGRANT ALL ON *.* TO '%[1]s'@'127.0.0.1' WITH GRANT OPTION;\n",
		User, Password)); err != nil {
		return fail(err)
	}
	port, err := s.pickPort()
	if err != nil {
		return fail(err)
	}
	cmd := as.command(context.Background(), server, "--no-defaults", "--datadir="+data,
		"--bind-address=127.0.0.1", "--port="+port, "--socket="+filepath.Join(s.dir, "mysqld.sock"),
		"--pid-file="+filepath.Join(s.dir, "mysqld.pid"), "--init-file="+initFile, "--skip-name-resolve",
		"--innodb-buffer-pool-size=64M", "--innodb-flush-log-at-trx-commit=0", "--skip-log-bin",
		"--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci")
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd, cfg.Net, cfg.Addr = User, Password, "tcp", s.Addr
	cfg.Logger = log.New(io.Discard, "", 0)
	cfg.MultiStatements = true
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return fail(err)
	}
	s.DB = sql.OpenDB(conn)
	if err := s.start(ctx, cmd, s.DB.PingContext); err != nil {
		return fail(err)
	}
	s.DSN = "mysql://" + User + ":" + Password + "@" + s.Addr
	return s, nil
}

// StartPostgres initialises a PostgreSQL cluster and starts postgres on a
// free loopback port, with the superuser User/Password and the database
// PostgresDatabase.
func StartPostgres(ctx context.Context) (*Server, error) {
	dirs := []string{"/usr/lib/postgresql/*/bin", "/usr/local/pgsql/bin"}
	initdb, err := find("PostgreSQL", "initdb", dirs...)
	if err != nil {
		return nil, err
	}
	// postgres from the same installation as initdb.
	server := filepath.Join(filepath.Dir(initdb), "postgres")
	if _, err := os.Stat(server); err != nil {
		if server, err = find("PostgreSQL", "postgres", dirs...); err != nil {
			return nil, err
		}
	}
	s, as, err := newServer("PostgreSQL", "dmsticket-postgres-*")
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Server, error) { s.Stop(); return nil, err }
	pwfile := filepath.Join(s.dir, "pwfile")
	if err := as.writeFile(pwfile, Password+"\n"); err != nil {
		return fail(err)
	}
	data := filepath.Join(s.dir, "data")
	out, err := as.command(ctx, initdb, "-D", data, "-U", User, "--pwfile="+pwfile, "-A", "scram-sha-256",
		"--no-sync", "-E", "UTF8", "--locale=C.UTF-8").CombinedOutput()
	if err != nil {
		return fail(fmt.Errorf("initdb: %v:\n%s", err, out))
	}
	port, err := s.pickPort()
	if err != nil {
		return fail(err)
	}
	cmd := as.command(context.Background(), server, "-D", data, "-h", "127.0.0.1", "-p", port, "-k", "",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=40",
		"-c", "shared_buffers=32MB", "-c", "logging_collector=off")
	base := "postgres://" + User + ":" + Password + "@" + s.Addr
	admin, err := sql.Open("pgx", base+"/postgres?sslmode=disable")
	if err != nil {
		return fail(err)
	}
	err = s.start(ctx, cmd, admin.PingContext)
	if err == nil {
		_, err = admin.ExecContext(ctx, "CREATE DATABASE "+PostgresDatabase)
	}
	admin.Close()
	if err != nil {
		return fail(err)
	}
	s.DSN = base + "/" + PostgresDatabase + "?sslmode=disable"
	if s.DB, err = sql.Open("pgx", s.DSN); err != nil {
		return fail(err)
	}
	return s, nil
}

// Missing reports whether err says an engine is not installed.
func Missing(err error) bool {
	var m *MissingError
	return errors.As(err, &m)
}

// Quote quotes an identifier for the engine.
func (s *Server) Quote(name string) string {
	if s.Engine == "MariaDB" {
		return "`" + strings.ReplaceAll(name, "`", "``") + "`"
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
