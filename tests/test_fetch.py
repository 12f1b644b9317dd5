"""`python -m ingest fetch` against a real local HTTP server that behaves like nationalewoningbouwkaart.nl:
gzip files as application/octet-stream without Content-Encoding, ETag and Last-Modified, 404 otherwise."""

from __future__ import annotations

import datetime as dt
import email.utils
import gzip
import hashlib
import http.server
import json
import socket
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from ingest.fetch import fetch
from ingest.limits import dutch
from ingest.release_files import FETCH_RECORD, load_config

from helpers import ingest_build

ROOT = Path(__file__).resolve().parent.parent
CONFIG = load_config()
NAMES = CONFIG.files  # role -> published file name


# --- fixture files in the release's shape -------------------------------------------------------


def projecten(peilmoment="Najaar 2025", n=3, pad=0) -> dict:
    features = []
    for i in range(n):
        props = {
            "project_id": 1000 + i,
            "Plannaam": f"Plan {i}" + "x" * pad,
            "Planstatus": "Vastgesteld",
            "peilmoment": peilmoment,
            "gemeente_naam": "Utrecht",
            "provincie_naam": "Utrecht",
            "Netto Plancapaciteit": 40 + i,
            "Bruto Plancapaciteit": 45 + i,
            "Sociale huur": 10,
        }
        if i % 2:
            props["Dure koop"] = 5
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [5.1 + i / 100, 52.09]},
                "properties": props,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def vlakken() -> dict:
    return {
        "type": "Topology",
        "transform": None,
        "objects": {
            "data": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "arcs": [[0]], "properties": {"project_id": 1000, "gemeente_code": "GM0344"}}
                ],
            }
        },
        "arcs": [[[5.10, 52.09], [5.11, 52.09], [5.11, 52.10], [5.10, 52.09]]],
    }


def gemeenten() -> list:
    return [
        {
            "gemeente_code": "GM0344",
            "gemeente_naam": "Utrecht",
            "provincie_naam": "Utrecht",
            "woondeal_regio": "Utrecht",
            "peilmoment": "Najaar 2025",
            "Netto": 123.0,
            "Hard totaal": 100,
            "Zacht totaal": 23.5,
        }
    ]


def woondeal() -> list:
    return [
        {
            "woondeal_regio": "Utrecht",
            "peilmoment": "Najaar 2025",
            "Netto": 123.0,
            "Hard totaal": 100,
            "Zacht totaal": 23.5,
        }
    ]


def gz(doc) -> bytes:
    return gzip.compress(json.dumps(doc).encode("utf-8"), mtime=0)


def release(**changes) -> dict[str, bytes]:
    files = {
        NAMES["projecten"]: gz(projecten()),
        NAMES["vlakken"]: gz(vlakken()),
        NAMES["gemeenten"]: gz(gemeenten()),
        NAMES["woondealregios"]: gz(woondeal()),
    }
    files.update({NAMES[role]: body for role, body in changes.items()})
    return {name: body for name, body in files.items() if body is not None}


# --- the host ---------------------------------------------------------------------------------


class Host:
    """Serves `files` (name -> bytes); names in `cut` send a full Content-Length and half the body,
    names in `html` are served as text/html, names in `no_length` without Content-Length."""

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.cut: set[str] = set()
        self.html: set[str] = set()
        self.no_length: set[str] = set()
        host = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                name = self.path.lstrip("/")
                body = host.files.get(name)
                if body is None:
                    page = b"<!DOCTYPE html><html><body>404 Not Found</body></html>"
                    self.send_response(404)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", str(len(page)))
                    self.end_headers()
                    self.wfile.write(page)
                    return
                self.send_response(200)
                self.send_header(
                    "Content-Type", "text/html; charset=utf-8" if name in host.html else "application/octet-stream"
                )
                if name not in host.no_length:
                    self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", f'"{hashlib.md5(body).hexdigest()}"')
                self.send_header("Last-Modified", email.utils.formatdate(1760000000, usegmt=True))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2] if name in host.cut else body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def host():
    h = Host()
    yield h
    h.close()


def run(url: str, dest: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ingest", "fetch", "--base-url", url, "--dest", str(dest), *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def snapshot(folder: Path) -> dict[str, bytes] | None:
    """Every file under folder with its bytes (None when the folder does not exist)."""
    if not folder.exists():
        return None
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else b"<dir>") for p in sorted(folder.rglob("*"))
    }


def record(folder: Path) -> dict:
    return json.loads((folder / FETCH_RECORD).read_text(encoding="utf-8"))


# --- success ----------------------------------------------------------------------------------


def test_fetch_stores_release_byte_for_byte(host, tmp_path):
    host.files = release()
    dest = tmp_path / "releases"  # does not exist yet: created
    result = run(host.url, dest)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in dest.iterdir()) == ["2025-10-01"]  # Najaar 2025; no temporary folder left
    folder = dest / "2025-10-01"
    assert sorted(p.name for p in folder.iterdir()) == sorted([*host.files, FETCH_RECORD])
    for name, body in host.files.items():
        assert (folder / name).read_bytes() == body
    rec = record(folder)
    assert rec["bron"] == host.url and rec["peildatum"] == "2025-10-01"
    assert dt.datetime.fromisoformat(rec["opgehaald_op"].replace("Z", "+00:00")).tzinfo is not None
    assert [f["rol"] for f in rec["bestanden"]] == ["projecten", "vlakken", "gemeenten", "woondealregios"]
    for f in rec["bestanden"]:
        body = host.files[f["bestand"]]
        assert f["sha256"] == hashlib.sha256(body).hexdigest()
        assert f["bytes"] == len(body)
        assert f["url"] == host.url + f["bestand"]
        assert f["etag"] == f'"{hashlib.md5(body).hexdigest()}"'
        assert f["last_modified"] == "Thu, 09 Oct 2025 08:53:20 GMT"
        assert f["content_type"] == "application/octet-stream"
    # one progress line per file, naming it with size and sha256 prefix; the summary on stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 4
    for line, f in zip(lines, rec["bestanden"]):
        assert line.startswith(f["bestand"] + ":") and f["sha256"][:12] in line
    assert str(folder) in result.stdout and "opgeslagen" in result.stdout


def test_only_projecten_available(host, tmp_path):
    host.files = release(vlakken=None, gemeenten=None, woondealregios=None)
    result = run(host.url, tmp_path)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "2025-10-01"
    assert sorted(p.name for p in folder.iterdir()) == sorted([NAMES["projecten"], FETCH_RECORD])
    assert [f["rol"] for f in record(folder)["bestanden"]] == ["projecten"]
    skipped = [line for line in result.stderr.splitlines() if "overgeslagen" in line]
    assert len(skipped) == 3 and all("404" in line for line in skipped)


def test_config_names_the_files(host, tmp_path):
    # the host renamed project2 (as the "2" suggests it will): only the configuration changes
    config = tmp_path / "woningbouwkaart.yml"
    text = (ROOT / "data" / "woningbouwkaart.yml").read_text(encoding="utf-8")
    config.write_text(text.replace("project2.json.gz", "project3.json.gz"), encoding="utf-8")
    host.files = {"project3.json.gz": gz(projecten())}
    result = run(host.url, tmp_path / "releases", "--config", str(config), "--quiet")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "releases" / "2025-10-01" / "project3.json.gz").read_bytes() == host.files["project3.json.gz"]


def test_iso_peilmoment_and_fallback_to_retrieval_date(host, tmp_path):
    host.files = release(projecten=gz(projecten(peilmoment="2025-04-01")))
    assert Path(fetch(host.url, tmp_path / "a", CONFIG)["map"]).name == "2025-04-01"
    host.files = release(projecten=gz(projecten(peilmoment="onbekend")))
    result = fetch(host.url, tmp_path / "b", CONFIG)
    assert result["peildatum"] is None
    assert Path(result["map"]).name == result["opgehaald_op"][:10]


# --- failures: one line, DEST as it was --------------------------------------------------------

CASES = {
    "404 project2": (dict(projecten=None), set(), set(), "HTTP 404"),
    "html with 200": (
        dict(projecten=b"<!DOCTYPE html><html><body>Onderhoud</body></html>"),
        {NAMES["projecten"]},
        set(),
        "HTML-pagina",
    ),
    "truncated gzip": (dict(projecten=gz(projecten())[:-30]), set(), set(), "gzip is afgebroken"),
    "cut connection": (dict(), set(), {NAMES["projecten"]}, "verbinding verbroken"),
    "invalid json": (
        dict(projecten=gzip.compress(b'{"type": "FeatureCollection", "features": [')),
        set(),
        set(),
        "geen geldige JSON",
    ),
    "wrong shape": (dict(projecten=gz([{"project_id": 1}])), set(), set(), "FeatureCollection"),
    "bad optional file": (dict(vlakken=gz({"type": "FeatureCollection", "features": []})), set(), set(), "TopoJSON"),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_release_changes_nothing(host, tmp_path, case):
    changes, html, cut, message = CASES[case]
    host.files, host.html, host.cut = release(**changes), html, cut
    dest = tmp_path / "releases"
    (dest / "2025-04-01").mkdir(parents=True)
    (dest / "2025-04-01" / NAMES["projecten"]).write_bytes(gz(projecten("Voorjaar 2025")))
    before = snapshot(dest)
    result = run(host.url, dest)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    # a file is reported as done only once it checked out: the one line is the error
    # (after project2's progress line when a later file is the bad one)
    assert len(lines) == (2 if case == "bad optional file" else 1), result.stderr
    assert lines[-1].startswith("FOUT: ") and message in lines[-1]
    assert snapshot(dest) == before


def test_failure_leaves_no_new_dest(host, tmp_path):
    host.files = release(projecten=gz(projecten())[:-30])
    dest = tmp_path / "new" / "releases"
    result = run(host.url, dest, "--quiet")
    assert result.returncode == 2 and result.stderr.startswith("FOUT: " + NAMES["projecten"] + ": ")
    assert not (tmp_path / "new").exists()


def test_unreachable_host(tmp_path):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dest = tmp_path / "releases"
    result = run(f"http://127.0.0.1:{port}/", dest)
    assert result.returncode == 3
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"FOUT: http://127.0.0.1:{port}/{NAMES['projecten']}: ")
    assert "onbereikbaar" in lines[0] and "Traceback" not in result.stderr
    assert not dest.exists()


# --- the same release twice, a changed one under the same peildatum ------------------------------


def test_identical_release_stored_once(host, tmp_path):
    host.files = release()
    assert run(host.url, tmp_path, "--quiet").returncode == 0
    before = snapshot(tmp_path)
    again = run(host.url, tmp_path)
    assert again.returncode == 0, again.stderr
    assert "al opgehaald" in again.stdout and str(tmp_path / "2025-10-01") in again.stdout
    assert snapshot(tmp_path) == before
    # also when a steward renamed the folder (and it has no record): recognised by hashing
    (tmp_path / "2025-10-01").rename(tmp_path / "handmatig")
    (tmp_path / "handmatig" / FETCH_RECORD).unlink()
    result = fetch(host.url, tmp_path, CONFIG)
    assert result["nieuw"] is False and Path(result["map"]).name == "handmatig"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["handmatig"]


def test_changed_release_same_peildatum(host, tmp_path):
    host.files = release()
    assert fetch(host.url, tmp_path, CONFIG)["nieuw"]
    host.files = release(projecten=gz(projecten(n=4)))
    result = run(host.url, tmp_path, "--quiet")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2025-10-01", "2025-10-01-2"]
    assert (tmp_path / "2025-10-01-2" / NAMES["projecten"]).read_bytes() == host.files[NAMES["projecten"]]
    host.files = release(projecten=gz(projecten(n=5)))
    assert Path(fetch(host.url, tmp_path, CONFIG)["map"]).name == "2025-10-01-3"


# --- progress for a large file ----------------------------------------------------------------


def test_progress_for_large_file(host, tmp_path):
    # stored (level 0) gzip: over 1 MB on the wire without building megabytes of features
    big = gzip.compress(json.dumps(projecten(n=30, pad=50_000)).encode(), compresslevel=0, mtime=0)
    assert len(big) > 1024 * 1024
    host.files = release(projecten=big)
    lines: list[str] = []
    fetch(host.url, tmp_path / "a", CONFIG, progress=lines.append)
    name = NAMES["projecten"]
    partial = [line for line in lines if line.startswith(name) and "%" in line]
    assert 5 <= len(partial) <= 10  # at most every ~10%
    assert all(f"van {dutch(len(big))} bytes" in line for line in partial)
    assert lines[len(partial)] == f"{name}: {dutch(len(big))} bytes, sha256 {hashlib.sha256(big).hexdigest()[:12]}"
    # without Content-Length: bytes so far, a line per 4 MB
    bigger = gzip.compress(json.dumps(projecten(n=30, pad=300_000)).encode(), compresslevel=0, mtime=0)
    host.files, host.no_length = release(projecten=bigger), {name}
    lines.clear()
    result = fetch(host.url, tmp_path / "b", CONFIG, progress=lines.append)
    assert result["bestanden"][0]["sha256"] == hashlib.sha256(bigger).hexdigest()
    partial = [line for line in lines if line.startswith(name) and "ontvangen" in line]
    assert len(partial) == len(bigger) // (4 * 1024 * 1024) and not any("%" in line for line in lines)


# --- make serve-lmvw: offline it says so in one line and builds from what was fetched before ------


def test_keep_going_offline_is_one_line_and_keeps_the_releases_fetched_before(host, tmp_path):
    host.files = release()
    dest = tmp_path / "releases"
    assert run(host.url, dest, "--quiet").returncode == 0
    before = snapshot(dest)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = run(f"http://127.0.0.1:{port}/", dest, "--keep-going")
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 0 and len(lines) == 1 and lines[0].startswith("geen netwerk")
    assert "eerder opgehaalde releases" in lines[0] and snapshot(dest) == before
    host.files = release(projecten=b"<!DOCTYPE html><html></html>")
    result = run(host.url, dest, "--keep-going", "--quiet")
    assert result.returncode == 0 and "niet opgehaald" in result.stderr and snapshot(dest) == before


def test_the_real_data_manifest_builds_every_release_fetched(host, tmp_path):
    """data/lmvw.yml (make serve-lmvw) builds whatever ingest fetch stored in data/releases/."""
    import shutil

    host.files = release()
    (tmp_path / "reference").mkdir()
    shutil.copy(ROOT / "data" / "reference" / "gemeenten.csv", tmp_path / "reference" / "gemeenten.csv")
    shutil.copy(ROOT / "data" / "lmvw.yml", tmp_path / "lmvw.yml")
    assert run(host.url, tmp_path / "releases", "--quiet").returncode == 0
    built = ingest_build(tmp_path / "lmvw.yml", tmp_path / "lmvw" / "woningbouwplannen.db")
    assert built.returncode == 0, built.stderr
    conn = sqlite3.connect(tmp_path / "lmvw" / "woningbouwplannen.db")
    bronnen = conn.execute(
        "select bestand, herkomst, opgehaald_op, voorbeelddata from bronnen where soort = 'woningbouwkaart'"
    ).fetchall()
    assert len(bronnen) == 1 and bronnen[0][1].startswith(host.url) and bronnen[0][2] and bronnen[0][3] == 0
    assert conn.execute("select count(*) from plannen").fetchone()[0] > 0
    empty = tmp_path / "nothing"
    empty.mkdir()
    shutil.copy(ROOT / "data" / "lmvw.yml", empty / "lmvw.yml")
    none = ingest_build(empty / "lmvw.yml", empty / "w.db")
    assert none.returncode == 2 and "geen releasemap gevonden" in none.stderr and "make fetch" in none.stderr
