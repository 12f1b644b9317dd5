"""`python -m ingest fetch`: download one public LMVW release into DEST/<peildatum>/.

All files go to a hidden temporary folder inside DEST first and are checked there with
release_files.read; only when every one passes is the folder moved into place with one rename.
So a cut connection, an HTML error page or a broken gzip leaves DEST exactly as it was.
The files are stored byte for byte as served (gzip; the host sends no Content-Encoding), so the
sha256 in opgehaald.json is the sha256 of what the host published.
"""

from __future__ import annotations

import collections
import datetime as dt
import hashlib
import http.client
import json
import os
import shutil
import socket
import ssl
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from . import limits, release_files
from .errors import FatalInput
from .mapping import load_mapping
from .release_files import FETCH_RECORD, Config
from .validate import parse_peilmoment

TIMEOUT = 30  # seconds without a byte before we call the host unreachable
USER_AGENT = "woningbouwplannen-ingest/1 (open-data portaal woningbouwplannen; python urllib)"
CHUNK = 64 * 1024
BIG = 1024 * 1024  # files over this size get intermediate progress lines
STEP_UNKNOWN = 4 * BIG  # without Content-Length: a line per this many bytes


class FetchError(FatalInput):
    """A release that cannot be stored; names a URL or file name rather than a local path."""

    def __init__(self, where: str, message: str):
        self.where = where  # before super(): FatalInput builds its text with __str__
        super().__init__(None, message)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class Unreachable(FetchError):
    """No answer from the host (DNS, refused, timeout): the caller may carry on offline (exit 3)."""


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _unreachable(url: str, exc: BaseException) -> Unreachable:
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, socket.gaierror):
        why = "host niet gevonden (DNS)"
    elif isinstance(reason, ConnectionRefusedError):
        why = "verbinding geweigerd"
    elif isinstance(reason, (TimeoutError, socket.timeout)):
        why = f"geen antwoord binnen {TIMEOUT} s"
    elif isinstance(reason, ConnectionError):
        why = "verbinding verbroken"
    else:
        why = getattr(reason, "strerror", None) or str(reason)
    return Unreachable(url, f"netwerk of host onbereikbaar: {why}; niets opgehaald")


def _open(url: str):
    """The response to GET url, or None for a 404."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        response = urllib.request.urlopen(request, timeout=TIMEOUT)
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code == 404:
            return None
        raise FetchError(url, f"server antwoordt HTTP {exc.code} {exc.reason}; niets opgehaald")
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, ssl.SSLCertVerificationError):
            raise FetchError(url, f"certificaat van de host niet geldig ({exc.reason.verify_message}); niets opgehaald")
        if isinstance(exc.reason, OSError):
            raise _unreachable(url, exc)
        raise FetchError(url, f"URL niet te openen ({exc.reason})")
    except http.client.RemoteDisconnected as exc:  # before ConnectionError: it is one
        raise FetchError(url, f"server sloot de verbinding zonder antwoord ({exc}); niets opgehaald")
    except (TimeoutError, ConnectionError) as exc:  # raised while waiting for the status line
        raise _unreachable(url, exc)
    except http.client.HTTPException as exc:
        raise FetchError(url, f"ongeldig HTTP-antwoord ({exc.__class__.__name__}); niets opgehaald")
    except ValueError as exc:  # an URL urllib cannot parse (a typo in --base-url)
        raise FetchError(url, f"ongeldige URL ({exc})")
    if response.status != 200:  # 2xx other than 200 (204, 206): not the whole file
        response.close()
        raise FetchError(url, f"server antwoordt HTTP {response.status} in plaats van 200; niets opgehaald")
    return response


def _download(url: str, name: str, target: Path, say) -> dict | None:
    """Store the body of url in target as it comes; its record, or None when the host has no such file."""
    response = _open(url)
    if response is None:
        return None
    header = response.headers.get("Content-Length")
    expected = int(header) if header and header.isdigit() else None
    max_bytes = limits.current().max_file_bytes
    if expected is not None and expected > max_bytes:
        response.close()
        raise FetchError(
            url,
            f"bestand is {limits.dutch(expected)} bytes, groter dan de limiet "
            f"({limits.current().describe('max_file_bytes')}); niets opgehaald",
        )
    sha = hashlib.sha256()
    received, cut = 0, False
    step = expected // 10 if expected else STEP_UNKNOWN
    next_line = step
    with response, open(target, "wb") as out:
        while True:
            try:
                chunk = response.read(CHUNK)
            except http.client.IncompleteRead as exc:  # a chunked body cut off (3.11 returns b"" otherwise)
                chunk, cut = exc.partial, True
            except (TimeoutError, ConnectionError) as exc:
                raise _unreachable(url, exc)
            out.write(chunk)
            sha.update(chunk)
            received += len(chunk)
            if not chunk or cut:
                break
            if received > max_bytes:
                raise FetchError(
                    url,
                    f"bestand groter dan de limiet ({limits.current().describe('max_file_bytes')}); niets opgehaald",
                )
            if received >= next_line and (expected or received) > BIG and received != expected:
                if expected:
                    say(
                        f"{name}: {received * 100 // expected}% ({limits.dutch(received)} van "
                        f"{limits.dutch(expected)} bytes)"
                    )
                else:
                    say(f"{name}: {limits.dutch(received)} bytes ontvangen")
                next_line = received + step
    if cut or (expected is not None and received < expected):
        of = f" van {limits.dutch(expected)}" if expected is not None else ""
        raise FetchError(
            url,
            f"verbinding verbroken: {limits.dutch(received)}{of} bytes ontvangen, bestand onvolledig; niets opgehaald",
        )
    return {
        "bestand": name,
        "url": url,
        "opgehaald_op": _now(),
        "bytes": received,
        "sha256": sha.hexdigest(),
        "etag": response.headers.get("ETag"),
        "last_modified": response.headers.get("Last-Modified"),
        "content_type": response.headers.get("Content-Type"),
    }


def peildatum(doc) -> dt.date | None:
    """The most common readable `peilmoment` of the projects (ties: the latest)."""
    seasons = load_mapping("woningbouwkaart").raw.get("peilmoment") or {}
    counts: collections.Counter[dt.date] = collections.Counter()
    for feature in doc.get("features") or ():
        value = (feature.get("properties") or {}).get("peilmoment") if isinstance(feature, dict) else None
        if value is None or value == "":
            continue
        try:
            counts[parse_peilmoment(value, seasons)] += 1
        except (ValueError, TypeError):
            continue
    if not counts:
        return None
    return max(counts, key=lambda date: (counts[date], date))


def _hashes(folder: Path, config: Config) -> dict[str, str]:
    """role -> sha256 of a stored release: from its opgehaald.json, else by hashing its files."""
    try:
        record = json.loads((folder / FETCH_RECORD).read_text(encoding="utf-8"))
        return {f["rol"]: f["sha256"] for f in record["bestanden"]}
    except (OSError, ValueError, KeyError, TypeError):
        pass
    try:
        found = release_files.find_files(folder, config)
    except FatalInput:
        return {}
    return {role: hashlib.sha256(path.read_bytes()).hexdigest() for role, path in found.items()}


def _already_stored(dest: Path, name: str, fetched: dict[str, str], config: Config) -> Path | None:
    """An existing release folder holding exactly these files (the one named `name` first)."""
    folders = sorted(
        (p for p in dest.iterdir() if p.is_dir() and not p.name.startswith(".")), key=lambda p: (p.name != name, p.name)
    )
    for folder in folders:
        stored = _hashes(folder, config)
        if stored and all(stored.get(role) == sha for role, sha in fetched.items()):
            return folder
    return None


def _free_name(dest: Path, name: str) -> str:
    if not (dest / name).exists():
        return name
    n = 2
    while (dest / f"{name}-{n}").exists():
        n += 1
    return f"{name}-{n}"


def fetch(base_url: str, dest: Path, config: Config, progress=None) -> dict:
    """Download, check and store one release. Returns its record plus `map` (the folder) and
    `nieuw` (False when the same files were already stored). FetchError/Unreachable/FatalInput
    on failure, with DEST as it was."""
    say = progress or (lambda line: None)
    dest = Path(dest)
    base = base_url if base_url.endswith("/") else base_url + "/"
    if urllib.parse.urlsplit(base).scheme not in ("http", "https"):  # never file:// or ftp://
        raise FetchError(base_url, "geen http(s)-URL; zie base_url in data/woningbouwkaart.yml")
    missing = [p for p in (dest, *dest.parents) if not p.exists()]  # created by us: removed on failure
    tmp = dest / f".fetch-tmp-{os.getpid()}"
    started = _now()
    try:
        dest.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(tmp, ignore_errors=True)  # left by a killed run with the same pid
        tmp.mkdir()
        files, docs = [], {}
        for role in release_files.ROLES:
            name = config.files[role]
            url = urllib.parse.urljoin(base, name)
            entry = _download(url, name, tmp / name, say)
            if entry is None:
                if role in config.required:
                    raise FetchError(
                        url,
                        "niet gevonden op de server (HTTP 404); klopt de bestandsnaam in "
                        "data/woningbouwkaart.yml nog? Niets opgehaald",
                    )
                say(f"{name}: niet aanwezig op de server (HTTP 404), overgeslagen")
                continue
            # the file name, not the temporary path, in a message: that folder is gone by then
            docs[role], _ = release_files.read(role, Path(name), (tmp / name).read_bytes())
            files.append({"rol": role, **entry})
            say(f"{name}: {limits.dutch(entry['bytes'])} bytes, sha256 {entry['sha256'][:12]}")
        date = peildatum(docs["projecten"]) if "projecten" in docs else None
        name = date.isoformat() if date else started[:10]  # else the UTC retrieval date
        record = {
            "bron": base_url,
            "opgehaald_op": started,
            "peildatum": date.isoformat() if date else None,
            "bestanden": files,
        }
        same = _already_stored(dest, name, {f["rol"]: f["sha256"] for f in files}, config)
        if same is not None:
            shutil.rmtree(tmp)
            return {**record, "map": str(same), "nieuw": False}
        (tmp / FETCH_RECORD).write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        folder = dest / _free_name(dest, name)
        os.rename(tmp, folder)  # the one step that makes the release visible
        return {**record, "map": str(folder), "nieuw": True}
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        for path in missing:  # deepest first; only if still empty
            try:
                path.rmdir()
            except OSError:
                break
        if isinstance(exc, OSError):
            # disk full, permissions: one line, DEST as it was
            raise FetchError(
                str(exc.filename or dest), f"kon niet schrijven ({exc.strerror or exc}); {dest} is niet gewijzigd"
            ) from None
        raise
