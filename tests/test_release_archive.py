"""Every release stays citable: each peildatum's downloads at /downloads/<peildatum>/<file>, unchanged by
later builds, listed on /downloads (ingest/release_archive.py, plugins/download_files.py)."""

from __future__ import annotations

import hashlib
import json
import shutil

from ingest import release_archive
from ingest.build import build

from helpers import make_datasette, write_manifest
from releases import project, square, write_release

OLD, NEW = "2025-04-01", "2025-10-01"
INDEX_KEYS = {"peildatum", "database", "files", "path"}
FILE_KEYS = {"file", "table", "format", "mediatype", "rows", "bytes", "sha256"}


def release(folder, peil, extra=()):
    projects = [
        project(1, "Kade", "Utrecht", "Utrecht", 10, 10, peilmoment=peil),
        project(2, "Haven", "Utrecht", "Utrecht", 20, 20, peilmoment=peil, point=(5.10, 52.08)),
        *extra,
    ]
    return write_release(folder, projects, [(1, "Polygon", [square(5.12, 52.09)])])


def build_releases(tmp_path, *names) -> tuple:
    db = tmp_path / "site" / "woningbouwplannen.db"
    manifest = write_manifest(tmp_path, [{"kind": "woningbouwkaart", "path": f"releases/{n}"} for n in names])
    return build(manifest, db, quiet=True), db


async def get(db, path, **headers):
    return await make_datasette(db).client.get(path, headers=headers)


async def test_an_older_release_keeps_its_urls_and_bytes_after_a_later_build(tmp_path, capsys):
    release(tmp_path / "releases" / OLD, OLD)
    summary, db = build_releases(tmp_path, OLD)
    assert summary["archief"] == {"peildatum": OLD, "status": "archived"}
    first = await get(db, f"/downloads/{OLD}/plannen.csv")
    assert first.status_code == 200 and first.headers["content-type"] == "text/csv; charset=utf-8"
    old_bytes, old_sha = first.content, hashlib.sha256(first.content).hexdigest()
    old_index = (await get(db, f"/downloads/{OLD}/index.json")).json()
    assert {f["file"]: f["sha256"] for f in old_index["files"]}["plannen.csv"] == old_sha
    assert (await get(db, "/downloads/plannen.csv")).content == old_bytes  # the newest set, the same files

    release(tmp_path / "releases" / NEW, NEW, [project(3, "Nieuw", "Utrecht", "Utrecht", 30, 30, peilmoment=NEW)])
    summary, same_db = build_releases(tmp_path, OLD, NEW)  # every release fetched so far, into the same path
    assert same_db == db and summary["archief"] == {"peildatum": NEW, "status": "archived"}
    app = make_datasette(db)
    again = await app.client.get(f"/downloads/{OLD}/plannen.csv")
    assert again.status_code == 200 and again.content == old_bytes
    assert hashlib.sha256(again.content).hexdigest() == old_sha
    assert again.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert again.headers["etag"] == f'"{old_sha}"'
    assert (
        await app.client.get(f"/downloads/{OLD}/plannen.csv", headers={"if-none-match": f'"{old_sha}"'})
    ).status_code == 304
    assert (await app.client.get(f"/downloads/{OLD}/index.json")).json() == old_index
    new = await app.client.get(f"/downloads/{NEW}/plannen.csv")
    assert new.status_code == 200 and new.content != old_bytes and b"Nieuw" in new.content
    newest = await app.client.get("/downloads/plannen.csv")
    assert newest.content == new.content and "immutable" not in newest.headers["cache-control"]  # replaced by builds
    current = (await app.client.get("/downloads/index.json")).json()
    assert current["peildatum"] == NEW

    # media types from each set's index, for every file; descriptors as JSON; nothing else
    index = (await app.client.get(f"/downloads/{NEW}/index.json")).json()
    for f in index["files"]:
        r = await app.client.get(f"/downloads/{NEW}/{f['file']}")
        assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == f["mediatype"], f["file"]
        assert len(r.content) == f["bytes"] and hashlib.sha256(r.content).hexdigest() == f["sha256"]
    assert {f["format"] for f in index["files"]} == {"csv", "csv-excel", "json", "xlsx", "geojson"}
    assert (await app.client.get(f"/downloads/{NEW}/datapackage.json")).json()["resources"]
    for missing in (
        f"/downloads/{NEW}/niets.csv",
        "/downloads/2024-01-01/plannen.csv",
        f"/downloads/{NEW}/..%2Findex.json",
        f"/downloads/{NEW}/%2E%2E/woningbouwplannen.db",
    ):
        r = await app.client.get(missing)
        assert r.status_code == 404 and r.headers["cache-control"] == "no-store", missing
    r = await app.client.get(f"/downloads/{OLD}/")
    assert r.status_code == 302 and r.headers["location"] == f"/downloads#release-{OLD}"

    # the page lists both releases, each file at its pinned address; newest first
    for path in ("/downloads", "/en/downloads"):
        page = (await app.client.get(path)).text
        assert page.index(f'id="release-{NEW}"') < page.index(f'id="release-{OLD}"')
        for peil in (OLD, NEW):
            listed = (await app.client.get(f"/downloads/{peil}/index.json")).json()
            for f in listed["files"]:
                assert f'href="/downloads/{peil}/{f["file"]}"' in page and f["sha256"] in page
    nl, en = (await app.client.get("/downloads")).text, (await app.client.get("/en/downloads")).text
    assert "Alle releases" in nl and "All releases" in en and "nu gepubliceerd" in nl and "eerdere release" in nl

    # the shape the catalogue codes against
    sets = release_archive.archived_sets(db.parent / "downloads")
    assert [s["peildatum"] for s in sets] == [NEW, OLD]
    assert all(set(s) >= INDEX_KEYS and s["path"] == f"/downloads/{s['peildatum']}/" for s in sets)
    assert all(set(f) >= FILE_KEYS for s in sets for f in s["files"])
    assert "WAARSCHUWING" not in capsys.readouterr().err


async def test_a_rebuild_of_a_peildatum_with_other_data_leaves_the_first_publication(tmp_path, capsys):
    release(tmp_path / "releases" / NEW, NEW)
    _, db = build_releases(tmp_path, NEW)
    pinned = db.parent / release_archive.ARCHIVE_DIR / NEW
    before = {p.name: p.read_bytes() for p in pinned.iterdir()}
    assert all(not p.stat().st_mode & 0o222 for p in pinned.iterdir())  # read-only

    summary, _ = build_releases(tmp_path, NEW)  # the same data again: nothing to say
    assert summary["archief"]["status"] == "already" and "WAARSCHUWING" not in capsys.readouterr().err
    page = (await get(db, "/downloads")).text
    assert "opnieuw gebouwd met andere gegevens" not in page

    release(tmp_path / "releases" / NEW, NEW, [project(9, "Later erbij", "Utrecht", "Utrecht", 9, 9, peilmoment=NEW)])
    summary, _ = build_releases(tmp_path, NEW)
    assert summary["archief"] == {"peildatum": NEW, "status": "differs"}
    warning = capsys.readouterr().err
    assert "WAARSCHUWING" in warning and f"/downloads/{NEW}/" in warning and "eerste publicatie" in warning
    assert {p.name: p.read_bytes() for p in pinned.iterdir()} == before  # not one byte rewritten
    app = make_datasette(db)
    assert b"Later erbij" in (await app.client.get("/downloads/plannen.csv")).content
    assert b"Later erbij" not in (await app.client.get(f"/downloads/{NEW}/plannen.csv")).content
    page = (await app.client.get("/downloads")).text
    assert "opnieuw gebouwd met andere gegevens" in page and f"/downloads/{NEW}/" in page
    en = (await app.client.get("/en/downloads")).text
    assert "rebuilt with different data" in en


async def test_a_set_published_before_the_archive_existed_is_pinned_by_the_next_build(tmp_path):
    release(tmp_path / "releases" / OLD, OLD)
    _, db = build_releases(tmp_path, OLD)
    shutil.rmtree(db.parent / release_archive.ARCHIVE_DIR)  # as on a portal built before this feature
    published = (db.parent / "downloads" / "plannen.csv").read_bytes()
    (db.parent / release_archive.ARCHIVE_DIR).mkdir()
    (db.parent / release_archive.ARCHIVE_DIR / f".{OLD}.tmp-1-2").mkdir()  # left by a killed build
    (db.parent / release_archive.ARCHIVE_DIR / "notes").mkdir()  # not a peildatum: ignored
    assert release_archive.archived_sets(db.parent / "downloads") == []
    page = (await get(db, "/downloads")).text
    assert "Er is nog geen release vastgelegd" in page

    release(tmp_path / "releases" / NEW, NEW)
    build_releases(tmp_path, NEW)  # only the newer release in the manifest
    assert (await get(db, f"/downloads/{OLD}/plannen.csv")).content == published
    assert [s["peildatum"] for s in release_archive.archived_sets(db.parent / "downloads")] == [NEW, OLD]
    leftovers = [p.name for p in (db.parent / release_archive.ARCHIVE_DIR).iterdir() if p.name.startswith(".")]
    assert leftovers == []


async def test_peildata_only_in_the_history_are_named_not_reconstructed(tmp_path):
    release(tmp_path / "releases" / OLD, OLD)
    release(tmp_path / "releases" / NEW, NEW)
    _, db = build_releases(tmp_path, OLD, NEW)  # a first build of two releases at once
    assert [s["peildatum"] for s in release_archive.archived_sets(db.parent / "downloads")] == [NEW]
    assert (await get(db, f"/downloads/{OLD}/plannen.csv")).status_code == 404
    page = (await get(db, "/downloads")).text
    assert "Oudere peildata zonder eigen set bestanden: 2025-04-01" in page
    link = f"/woningbouwplannen/plan_historie.csv?peildatum={OLD}&amp;_stream=on&amp;_size=max"
    assert link in page
    rows = (await get(db, link.replace("&amp;", "&"))).text.splitlines()
    assert len(rows) == 1 + 2 and all(OLD in r for r in rows[1:])


def test_archive_never_overwrites_and_skips_what_is_not_a_set(tmp_path):
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    (downloads / "a.csv").write_text("x\n1\n")
    index = {
        "peildatum": NEW,
        "database": {},
        "files": [
            {
                "file": "a.csv",
                "table": "a",
                "format": "csv",
                "mediatype": "text/csv",
                "rows": 1,
                "bytes": 4,
                "sha256": "0" * 64,
            }
        ],
    }
    (downloads / "index.json").write_text(json.dumps(index))
    assert release_archive.archive(downloads, downloads).status == "archived"
    (downloads / "a.csv").unlink()
    (downloads / "a.csv").write_text("y\n2\n")  # the published file replaced (never the archived one)
    index["files"][0]["sha256"] = "1" * 64
    (downloads / "index.json").unlink()
    (downloads / "index.json").write_text(json.dumps(index))
    outcome = release_archive.archive(downloads, downloads)
    assert outcome.status == "differs"
    assert (tmp_path / release_archive.ARCHIVE_DIR / NEW / "a.csv").read_text() == "x\n1\n"
    for bad in ("../x", "2025-13", None):
        (downloads / "index.json").unlink()
        (downloads / "index.json").write_text(json.dumps({**index, "peildatum": bad}))
        assert release_archive.archive(downloads, downloads).status == "skipped"
    (downloads / "index.json").unlink()
    (downloads / "index.json").write_text(json.dumps({**index, "peildatum": "2025-06-30"}))
    (downloads / "a.csv").write_text("longer than listed\n")  # incomplete: its size is not the index's
    assert release_archive.archive(downloads, downloads).status == "skipped"
    assert not (tmp_path / release_archive.ARCHIVE_DIR / "2025-06-30").exists()
