"""The fleet as scripts/chaos drives it: scripts/fleet for one run directory, and the direct
handles its faults need (PostgreSQL's pg_ctl, Redis, the simulator's knobs, instance pids).
Not thread-safe except where a method says so; http() and alive() are."""
import datetime
import json
import os
import subprocess
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DB = "chaos"
TEMPLATE = "chaos_template"  # the database every run starts from (accounts and the sale)


def run(cmd, check=True, env=None, timeout=600):
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    if check and out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({out.returncode}):\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    return out


def alive(pid):
    """True while PID names a live process; a zombie is dead (PID 1 here reaps slowly)."""
    if not pid:
        return False
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(") ", 1)[1][0] not in "ZX"
    except (OSError, IndexError):
        return False


def exec_time(pid):
    """The unix time at which process PID was exec'd (from /proc, 10 ms resolution), or None when
    it does not run. Thread-safe."""
    if not alive(pid):
        return None
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        started_since_boot = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22: starttime
    except (OSError, ValueError, IndexError):
        return None
    return time.time() - (time.clock_gettime(time.CLOCK_BOOTTIME) - started_since_boot)


def pg_log_time(line):
    """Unix time of a PostgreSQL log line starting "2026-12-06 23:33:46.389 UTC", or None."""
    words = line.split(" ", 3)
    if len(words) < 3 or words[2] != "UTC":
        return None
    try:
        at = datetime.datetime.strptime(f"{words[0]} {words[1]}", "%Y-%m-%d %H:%M:%S.%f")
    except ValueError:
        return None
    return at.replace(tzinfo=datetime.timezone.utc).timestamp()


def admitd_log_time(line):
    """Unix time of an admitd log line starting "2026-12-06T23:33:46.389Z", or None."""
    try:
        at = datetime.datetime.strptime(line.split(" ", 1)[0], "%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError:
        return None
    return at.replace(tzinfo=datetime.timezone.utc).timestamp()


def redis_log_time(line):
    """Unix time of a Redis log line "32669:M 06 Dec 2026 23:32:51.909 * ..." (local time), or None."""
    words = line.split(" ", 5)
    if len(words) < 5:
        return None
    try:
        at = datetime.datetime.strptime(" ".join(words[1:5]), "%d %b %Y %H:%M:%S.%f")
    except ValueError:
        return None
    return at.timestamp()  # naive: local time, as Redis writes it


def first_logged_at(path, text, since, parse):
    """The time (by `parse`) of the first line of PATH containing TEXT logged at or after `since`
    (10 ms of slack: /proc's exec times have 10 ms resolution), or None."""
    try:
        with open(path, errors="replace") as f:
            for line in f:
                if text in line:
                    at = parse(line)
                    if at is not None and at >= since - 0.01:
                        return at
    except OSError:
        return None
    return None


def http(method, url, body=None, token=None, timeout=5):
    """(status, parsed JSON or text); status 0 when no answer came."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            text = answer.read().decode()
            status = answer.status
    except urllib.error.HTTPError as error:
        text = error.read().decode(errors="replace")
        status = error.code
    except (OSError, urllib.error.URLError):
        return 0, None
    try:
        return status, json.loads(text) if text else None
    except ValueError:
        return status, text


class Fleet:
    """scripts/fleet for one run directory, and the direct handles faults need."""

    def __init__(self, args):
        self.args = args
        self.dir = args.dir
        self.env = {}
        self.restarts = 0  # supervisor restarts of exited instances
        self.spawn_locks = {}  # instance -> its lock: one restart decision at a time (see spawn())
        self.spawn_locks_guard = threading.Lock()

    def fleet(self, *words, check=True):
        return run([os.path.join(ROOT, "scripts", "fleet"), *words, "--dir", self.dir, "--build", self.args.build],
                   check=check)

    def up(self, fresh_from_template, net_faults=False):
        """scripts/fleet up; with net_faults, behind the fault proxy (a Python TCP proxy on every
        PostgreSQL and Redis round trip: only for the runs that inject a network fault)."""
        words = ["up", "--instances", str(self.args.instances), "--events", self.args.events, "--db", DB,
                 "--fresh", "--hold-seconds", str(self.args.hold_seconds), "--reconcile-ms", "2000",
                 "--workers", "16"]
        if fresh_from_template:
            words += ["--template", TEMPLATE]
        if net_faults:
            words += ["--net-faults"]
        self.fleet(*words)
        self.load_env()

    def down(self):
        self.fleet("down", "--keep-servers", check=False)

    def load_env(self):
        self.env = {}
        for name in ("fleet.env", "passwords.env", "ports.env"):
            with open(os.path.join(self.dir, name)) as f:
                for line in f:
                    if "=" in line:
                        key, _, value = line.strip().partition("=")
                        self.env[key] = value.strip('"')
        self.ports = self.env["INSTANCE_PORTS"].split()
        self.url = self.env["FLEET_URL"]
        self.sim = f"http://127.0.0.1:{self.env['SIM_PORT']}"

    def psql(self, sql, db=DB):
        out = run(["psql", "-h", "127.0.0.1", "-p", self.env["PG_PORT"], "-U", "postgres", "-d", db, "-X",
                   "-q", "-t", "-A", "-F", "\t", "-c", sql], check=False, timeout=60)
        if out.returncode != 0:
            return None
        return [line.split("\t") for line in out.stdout.splitlines() if line]

    def dump(self, path, db=DB):
        """pg_dump of the run's database (custom format) to `path`, for a failing run's post-mortem;
        False when the dump failed."""
        out = run(["/usr/lib/postgresql/15/bin/pg_dump", "-h", "127.0.0.1", "-p", self.env["PG_PORT"], "-U",
                   "postgres", "-Fc", "-f", path, db], check=False, timeout=300)
        return out.returncode == 0

    def net_faults(self, settings):
        """Sets the fault proxy's delay and loss per route ({"pg": {...}, "redis": {}})."""
        status, answer = http("POST", f"http://127.0.0.1:{self.env['NET_CONTROL_PORT']}/faults", settings)
        if status != 200:
            raise RuntimeError(f"the fault proxy refused {settings}: {status} {answer}")
        return answer

    def redis(self, *words):
        return run(["redis-cli", "-p", self.env["REDIS_PORT"], *words], check=False, timeout=30)

    def instance(self, action, k):
        return self.fleet("instance", action, str(k), check=action in ("start", "spawn"))

    def spawn(self, k):
        """Starts instance K unless it runs (without waiting until it is ready). Returns True when
        this call started it. Overlapping faults restart the same instance from two threads (a
        kill's restart and another fault's supervision); the lock keeps them from starting two
        processes of which the second finds the port taken and exits."""
        with self.spawn_locks_guard:
            lock = self.spawn_locks.setdefault(k, threading.Lock())
        with lock:
            if alive(self.instance_pid(k)):
                return False
            self.instance("spawn", k)
            return True

    def instance_pid(self, k):
        try:
            with open(os.path.join(self.dir, f"instance-{k}", "admitd.pid")) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def ready(self, k):
        status, _ = http("GET", f"http://127.0.0.1:{self.ports[k - 1]}/readyz", timeout=1)
        return status == 200

    def serving_logged_at(self, k, since):
        """The unix time of the first "serving" line instance K logged at or after `since` (a
        unix time; its log has one per start, at FLEET_LOG_LEVEL info), or None."""
        return first_logged_at(os.path.join(self.dir, f"instance-{k}", "admitd.log"), " serving venue ", since,
                               admitd_log_time)

    def pg_accepting_since(self, since):
        """The unix time of PostgreSQL's first "ready to accept connections" logged at or after
        `since` (its server.log, "%m" timestamps in UTC), or None. The moment PostgreSQL came
        back, not the moment the harness's start script returned (it goes on with psql calls)."""
        return first_logged_at(os.path.join(self.dir, "pg", "server.log"),
                               "database system is ready to accept connections", since, pg_log_time)

    def redis_accepting_since(self, since):
        """The unix time of Redis's first "Ready to accept connections" logged at or after `since`
        (its server.log, local time with milliseconds), or None."""
        return first_logged_at(os.path.join(self.dir, "redis", "server.log"), "Ready to accept connections",
                               since, redis_log_time)

    def wait_all_ready(self, deadline_s=120):
        """Polls every instance's /readyz (every 20 ms) until each has answered 200 once. Acts as
        the instances' supervisor meanwhile (systemd's Restart=always): an instance that exited,
        for example because it was started while PostgreSQL was down, is started again.
        Returns {"elapsed_s": seconds until the last one answered, or None at the deadline,
        "ready_at": {k: unix time of its first 200}, "ready_exec": {k: unix time at which the
        process that answered was exec'd}, "slowest_probe_s": the longest answer}.
        Thread-safe: faults that overlap wait concurrently."""
        start = time.monotonic()
        pending = set(range(1, len(self.ports) + 1))
        result = {"elapsed_s": None, "ready_at": {}, "ready_exec": {}, "slowest_probe_s": 0.0}
        while time.monotonic() - start < deadline_s:
            for k in sorted(pending):
                pid = self.instance_pid(k)
                if not alive(pid):
                    if self.spawn(k):
                        self.restarts += 1
                    continue
                asked = time.time()
                ok = self.ready(k)
                answered = time.time()
                result["slowest_probe_s"] = max(result["slowest_probe_s"], answered - asked)
                if ok:
                    result["ready_at"][k] = answered
                    result["ready_exec"][k] = exec_time(pid)
                    pending.discard(k)
            if not pending:
                result["elapsed_s"] = time.monotonic() - start
                return result
            time.sleep(0.02)
        return result

    def pg_ctl(self, *words):
        cmd = ["/usr/lib/postgresql/15/bin/pg_ctl", "-D", os.path.join(self.dir, "pg", "data"), *words]
        if os.getuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        return run(cmd, check=False, timeout=60)

    def servers(self, what):
        return run(["bash", os.path.join(ROOT, "scripts", "lib", "servers.sh"), what, self.dir], check=False,
                   timeout=120)

    def sim_config(self, patch):
        status, body = http("POST", f"{self.sim}/sim/config", patch)
        if status != 200:
            raise RuntimeError(f"the simulator refused {patch}: {status} {body}")
