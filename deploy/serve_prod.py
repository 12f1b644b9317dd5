"""Production serving on one machine: N Datasette replicas behind nginx with a proxy cache.

    python deploy/serve_prod.py --db data/woningbouwplannen.db --replicas 2 --listen 127.0.0.1:8080

Every replica serves the same immutable file (-i) with a precomputed inspect file, the
same metadata, plugins, templates and settings as `make serve`, on its own 127.0.0.1
port. nginx (the Debian binary; everything else under --dir) balances over them, caches
responses as their Cache-Control allows, rate-limits ?sql= requests, compresses, and
retries a request on the next replica when one dies. Stops everything on SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import shutil
import signal
import socket
import string
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import yaml

from ingest.downloads import published_dir
from ingest.schema import DATABASE
from portal.serve import serve_args

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
DB_NAME = DATABASE  # the name in every URL, whatever the file is called


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def datasette_args(db: Path, inspect: Path, port: int, python: str = sys.executable) -> list[str]:
    """The `make serve` command line (portal/serve.py), for one replica (db may be a symlink to the built file)."""
    return serve_args(db, port, inspect=inspect, downloads=published_dir(db), python=python)


def render_config(
    prefix: Path,
    listen: str,
    ports: list[int],
    cache: bool = True,
    workers: int = 1,
    sql_rate: str = "2r/s",
    sql_burst: int = 4,
) -> str:
    """deploy/nginx.conf.template with this deployment's values ($$ in the template is a literal $)."""
    # Started as root (CI), nginx would run its workers as nobody, who cannot enter a private
    # prefix; run them as the user who started us, like the replicas.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in ports)
    return string.Template(TEMPLATE.read_text()).substitute(
        prefix=prefix,
        listen=listen,
        user_directive=user,
        upstream_servers=servers,
        workers=workers,
        cache_dir=prefix / "cache",
        cache_directive="proxy_cache pages;" if cache else "proxy_cache off;",
        sql_rate=sql_rate,
        sql_burst=sql_burst,
    )


LOGS = ("access", "error")  # nginx's log files under <prefix>/logs


def log_days(metadata: Path = ROOT / "metadata.yml") -> int | None:
    """How many days nginx's logs are kept (metadata.yml, plugins: woningbouwplannen: log_days; /privacy states it)."""
    config = (
        (yaml.safe_load(metadata.read_text(encoding="utf-8")) or {}).get("plugins", {}).get("woningbouwplannen", {})
    )
    days = config.get("log_days")
    return int(days) if days else None


def rotate_logs(
    logs: Path, today: date, keep_days: int | None, nginx_pid: int | None = None, new_day: bool = False
) -> list[Path]:
    """access.log and error.log of an earlier day (new_day: of yesterday, whatever the last write) become
    <name>-<that day>.log (nginx reopens its files on SIGUSR1), and day files older than keep_days are
    deleted. Returns the deleted files."""
    moved = False
    for name in LOGS:
        current = logs / f"{name}.log"
        if not current.exists() or current.stat().st_size == 0:
            continue
        last = today - timedelta(days=1) if new_day else date.fromtimestamp(current.stat().st_mtime)
        if last >= today:
            continue
        day_file = logs / f"{name}-{last.isoformat()}.log"
        with day_file.open("ab") as out, current.open("rb") as src:
            shutil.copyfileobj(src, out)
        current.unlink()
        moved = True
    if moved and nginx_pid:
        os.kill(nginx_pid, signal.SIGUSR1)
    deleted = []
    if keep_days:
        oldest = today - timedelta(days=keep_days - 1)
        for path in sorted(logs.glob("*-????-??-??.log")):
            try:
                day = date.fromisoformat(path.stem[-10:])
            except ValueError:
                continue
            if path.stem[:-11] in LOGS and day < oldest:
                path.unlink()
                deleted.append(path)
    return deleted


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} stopped with exit code {proc.returncode} before answering {url}")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"no answer from {url} within {timeout} s")


@dataclass
class Deployment:
    prefix: Path
    listen: str
    replicas: dict[int, subprocess.Popen] = field(default_factory=dict)  # port -> process
    nginx: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{self.listen}"

    def state(self) -> dict:
        return {
            "url": self.url,
            "nginx_pid": self.nginx.pid if self.nginx else None,
            "replicas": {str(port): p.pid for port, p in self.replicas.items()},
        }

    def stop(self) -> None:
        """Stop the processes this deployment started (by pid), nginx first."""
        procs = ([self.nginx] if self.nginx else []) + list(self.replicas.values())
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)


def start(
    db: Path,
    prefix: Path,
    listen: str = "127.0.0.1:8080",
    replicas: int = 2,
    ports: list[int] | None = None,
    cache: bool = True,
    workers: int = 1,
    sql_rate: str = "2r/s",
    sql_burst: int = 4,
    fresh_cache: bool = True,
    log=None,
) -> Deployment:
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        raise RuntimeError(
            "nginx ontbreekt / nginx is missing: apt-get install nginx (or bash deploy/need-packages.sh nginx)"
        )
    db = Path(db).resolve()
    if not db.exists():
        raise RuntimeError(f"database {db} bestaat niet; draai eerst make build")
    prefix = Path(prefix).resolve()
    for sub in ("logs", "tmp"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    if fresh_cache:  # a cache belongs to one build: never serve an old build's pages
        shutil.rmtree(prefix / "cache", ignore_errors=True)
    link = prefix / f"{DB_NAME}.db"
    link.unlink(missing_ok=True)
    link.symlink_to(db)
    inspect = prefix / "inspect.json"
    subprocess.run(
        [sys.executable, "-m", "datasette", "inspect", str(link), "--inspect-file", str(inspect)], check=True, cwd=ROOT
    )
    ports = ports or [free_port() for _ in range(replicas)]
    dep = Deployment(prefix, listen)
    out = log if log is not None else subprocess.DEVNULL
    try:
        for port in ports:
            dep.replicas[port] = subprocess.Popen(
                datasette_args(link, inspect, port), cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
            )
        for port, proc in dep.replicas.items():
            wait_http(f"http://127.0.0.1:{port}/-/versions.json", proc)
        conf = prefix / "nginx.conf"
        conf.write_text(render_config(prefix, listen, ports, cache, workers, sql_rate, sql_burst))
        test = subprocess.run(
            [nginx, "-t", "-q", "-p", str(prefix), "-e", str(prefix / "logs" / "error.log"), "-c", str(conf)],
            capture_output=True,
            text=True,
        )
        if test.returncode:
            raise RuntimeError(f"nginx config {conf} is invalid: {test.stderr.strip()}")
        dep.nginx = subprocess.Popen(
            [nginx, "-p", str(prefix), "-e", str(prefix / "logs" / "error.log"), "-c", str(conf)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        wait_http(f"{dep.url}/-/versions.json", dep.nginx, timeout=20)
        (prefix / "state.json").write_text(json.dumps(dep.state(), indent=1))
    except BaseException:
        dep.stop()
        raise
    return dep


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Datasette replicas behind nginx (127.0.0.1)")
    parser.add_argument("--db", type=Path, default=ROOT / "data" / f"{DB_NAME}.db")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--listen", default="127.0.0.1:8080")
    parser.add_argument("--ports", default="", help="comma-separated replica ports (default: free ports)")
    parser.add_argument("--dir", type=Path, default=ROOT / ".serve" / "prod")
    parser.add_argument("--no-cache", action="store_true")
    parser.add_argument("--workers", type=int, default=1, help="nginx worker processes")
    args = parser.parse_args(argv)
    if not args.listen.startswith("127.0.0.1:"):
        print("FOUT: --listen moet op 127.0.0.1 zijn (zet een CDN of load balancer ervoor)", file=sys.stderr)
        return 2
    ports = [int(p) for p in args.ports.split(",") if p] or None
    try:
        dep = start(
            args.db,
            args.dir,
            args.listen,
            args.replicas,
            ports,
            cache=not args.no_cache,
            workers=args.workers,
            log=None if os.environ.get("SERVE_PROD_QUIET") else sys.stderr,
        )
    except RuntimeError as exc:
        print(f"FOUT: {exc}", file=sys.stderr)
        return 2
    print(
        f"{dep.url}/ -> {len(dep.replicas)} replicas on ports {', '.join(map(str, dep.replicas))} "
        f"(nginx config {args.dir / 'nginx.conf'}); Ctrl-C stops",
        file=sys.stderr,
        flush=True,
    )

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    reported = set()
    keep_days, rotated_on = log_days(), None
    try:
        while True:
            for port, proc in dep.replicas.items():
                if proc.poll() is not None and port not in reported:
                    reported.add(port)  # nginx routes around it; say so once
                    print(
                        f"replica on port {port} stopped (exit {proc.returncode}); nginx sends its requests "
                        "to the others",
                        file=sys.stderr,
                    )
            if dep.nginx.poll() is not None:
                print(
                    f"FOUT: nginx stopped (exit {dep.nginx.returncode}); see {args.dir / 'logs' / 'error.log'}",
                    file=sys.stderr,
                )
                return 1
            if rotated_on != date.today():  # at start and at the first check of each day
                new_day, rotated_on = rotated_on is not None, date.today()
                rotate_logs(args.dir.resolve() / "logs", rotated_on, keep_days, dep.nginx.pid, new_day)
            time.sleep(1)
    except KeyboardInterrupt:
        return 0
    finally:
        dep.stop()


if __name__ == "__main__":
    sys.exit(main())
