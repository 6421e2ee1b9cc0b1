// Package localdev finds or starts the Postgres and Redis that `make run` and the tests need on a developer's
// machine, and prepares a database with Profitline's two roles. It is for dev and tests only: production is given
// DATABASE_URL, MIGRATE_DATABASE_URL and REDIS_URL, and never reaches this package.
package localdev

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// OwnerRole is the role Bootstrap creates to own the schema: it applies migrations and owns the SECURITY DEFINER
// system functions, so it may bypass row-level security. The app role (store.AppRole) serves requests and may not.
const OwnerRole = "profitline_owner"

// Postgres is a server this machine's user can administer.
type Postgres struct {
	// AdminURL connects as a superuser to the maintenance database.
	AdminURL string
	// Started says Postgres was started by us, under DataDir, and Stop will stop it.
	Started bool
	DataDir string
	binDir  string
}

// FindOrStartPostgres uses the server on 127.0.0.1:5432 if one answers, else starts a project-local cluster under
// dataDir with the initdb and pg_ctl found on PATH or under /usr/lib/postgresql/*/bin.
func FindOrStartPostgres(ctx context.Context, dataDir string, log *slog.Logger) (*Postgres, error) {
	if admin, ok := probeAdmin(ctx, "127.0.0.1", 5432); ok {
		return &Postgres{AdminURL: admin}, nil
	}
	return StartPostgres(ctx, dataDir, log)
}

// StartPostgres starts (creating it first if needed) the cluster under dataDir/postgres on a free port, or joins it
// if it is already running.
func StartPostgres(ctx context.Context, dataDir string, log *slog.Logger) (*Postgres, error) {
	binDir, err := findPostgresBin()
	if err != nil {
		return nil, err
	}
	pg := &Postgres{Started: true, DataDir: filepath.Join(dataDir, "postgres"), binDir: binDir}
	unlock, err := lockFile(pg.DataDir + ".lock")
	if err != nil {
		return nil, err
	}
	defer unlock()
	if port, ok := runningPort(pg.DataDir); ok {
		if admin, ok := probeAdmin(ctx, "127.0.0.1", port); ok {
			pg.AdminURL = admin
			pg.Started = false // someone else's process: leave it running
			return pg, nil
		}
	}
	if err := pg.initdb(ctx, log); err != nil {
		return nil, err
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	log.Info("starting a project-local PostgreSQL", "dir", pg.DataDir, "port", port)
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -k %s", port, pg.DataDir)
	if out, err := pg.run(ctx, "pg_ctl", "start", "-w", "-t", "60", "-D", pg.DataDir, "-o", opts,
		"-l", filepath.Join(pg.DataDir, "server.log")); err != nil {
		return nil, fmt.Errorf("localdev: pg_ctl start failed: %v\n%s", err, out)
	}
	admin, ok := probeAdmin(ctx, "127.0.0.1", port)
	if !ok {
		return nil, fmt.Errorf("localdev: PostgreSQL started on port %d but does not answer; see %s", port,
			filepath.Join(pg.DataDir, "server.log"))
	}
	pg.AdminURL = admin
	return pg, nil
}

// Stop stops a server that FindOrStartPostgres started; it does nothing to one it found running.
func (pg *Postgres) Stop(ctx context.Context) error {
	if !pg.Started {
		return nil
	}
	if out, err := pg.run(ctx, "pg_ctl", "stop", "-m", "fast", "-w", "-D", pg.DataDir); err != nil {
		return fmt.Errorf("localdev: pg_ctl stop: %v\n%s", err, out)
	}
	return nil
}

func (pg *Postgres) initdb(ctx context.Context, log *slog.Logger) error {
	if _, err := os.Stat(filepath.Join(pg.DataDir, "PG_VERSION")); err == nil {
		return nil
	}
	log.Info("creating a project-local PostgreSQL cluster", "dir", pg.DataDir)
	if err := os.MkdirAll(pg.DataDir, 0o700); err != nil {
		return fmt.Errorf("localdev: %w", err)
	}
	if err := chownForPostgres(pg.DataDir); err != nil {
		return err
	}
	out, err := pg.run(ctx, "initdb", "-D", pg.DataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale")
	if err != nil {
		return fmt.Errorf("localdev: initdb failed: %v\n%s", err, out)
	}
	return nil
}

// run runs a Postgres program; as root it runs as the postgres OS user, because initdb and postgres refuse root.
func (pg *Postgres) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	bin := filepath.Join(pg.binDir, name)
	var cmd *exec.Cmd
	if os.Geteuid() == 0 {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", "postgres", "--", bin}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, bin, args...)
	}
	// A detached session, so Ctrl-C in the terminal reaches us, and we stop the server in order.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	return cmd.CombinedOutput()
}

func chownForPostgres(dir string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return errors.New("localdev: running as root, and there is no postgres OS user to run a local cluster as; " +
			"start PostgreSQL on 127.0.0.1:5432 or set DATABASE_URL")
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	// The cluster folder and its parent (.data), where pg_ctl also writes, change hands; nothing above them.
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chown(d, uid, gid); err != nil {
			return fmt.Errorf("localdev: %w", err)
		}
	}
	return nil
}

// findPostgresBin finds the folder holding initdb and pg_ctl.
func findPostgresBin() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		dir := filepath.Dir(p)
		if _, err := os.Stat(filepath.Join(dir, "pg_ctl")); err == nil {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("no PostgreSQL found: nothing answers on 127.0.0.1:5432 and there is no initdb/pg_ctl on PATH " +
		"or under /usr/lib/postgresql/*/bin; install PostgreSQL (Debian: apt-get install postgresql) or set DATABASE_URL")
}

func versionOf(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// runningPort reads the port of a cluster already running from its postmaster.pid.
func runningPort(dataDir string) (int, bool) {
	b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return 0, false
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) < 4 {
		return 0, false
	}
	port, err := strconv.Atoi(strings.TrimSpace(lines[3]))
	return port, err == nil
}

// probeAdmin finds a superuser that can connect (trust auth on a developer machine).
func probeAdmin(ctx context.Context, host string, port int) (string, bool) {
	if !answers(host, port) {
		return "", false
	}
	candidates := []string{os.Getenv("PGUSER"), "postgres", "root"}
	if u, err := user.Current(); err == nil {
		candidates = append(candidates, u.Username)
	}
	for _, name := range candidates {
		if name == "" {
			continue
		}
		u := url.URL{Scheme: "postgres", User: url.User(name), Host: net.JoinHostPort(host, strconv.Itoa(port)),
			Path: "/postgres", RawQuery: "sslmode=disable"}
		cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		conn, err := pgx.Connect(cctx, u.String())
		if err == nil {
			var super bool
			err = conn.QueryRow(cctx, `SELECT rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&super)
			conn.Close(cctx)
			if err == nil && super {
				cancel()
				return u.String(), true
			}
		}
		cancel()
	}
	return "", false
}

func answers(host string, port int) bool {
	c, err := net.DialTimeout("tcp", net.JoinHostPort(host, strconv.Itoa(port)), time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// FreePort asks the kernel for a free TCP port on the loopback interface.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("localdev: find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// lockFile takes an exclusive lock on path, so concurrent test packages start one cluster, not several.
func lockFile(path string) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("localdev: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("localdev: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("localdev: lock %s: %w", path, err)
	}
	return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}
