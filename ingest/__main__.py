"""CLI: `python -m ingest build`, `check` and `fetch` (arguments and exit codes only).

Exit codes: 0 ok (check: the file was read; its rejected rows are in the report), 1 check --strict
found rows with errors, 2 fatal input (nothing written),
3 fetch: network or host unreachable (a Makefile may carry on offline).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from .errors import MAX_MESSAGE, FatalInput, one_line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest", description="Woningbouwplannen: bronbestanden -> SQLite")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="bouw de database uit een manifest (sources.yml)")
    b.add_argument("--sources", type=Path, default=Path("data/sources.yml"))
    b.add_argument("--db", type=Path, default=Path("data/woningbouwplannen.db"))
    b.add_argument("--quiet", action="store_true")
    c = sub.add_parser("check", help="controleer één bestand en toon het rapport, zonder te schrijven")
    c.add_argument("file", type=Path)
    c.add_argument("--kind", default="plannen", choices=["plannen", "woningbouwkaart", "gemeenten"])
    c.add_argument("--mapping", default=None)
    c.add_argument("--gemeenten", type=Path, default=None, help="gemeentelijst (standaard de meegeleverde)")
    c.add_argument("--peildatum", default=None)
    c.add_argument("--max-problems", type=int, default=200)
    c.add_argument(
        "--default",
        action="append",
        default=[],
        metavar="KOLOM=WAARDE",
        help="waarde voor een kolom die het bestand mist, zoals defaults: in het manifest (gemeentecode=GM0363)",
    )
    c.add_argument("--strict", action="store_true", help="exit 1 als er rijen zijn afgewezen")
    f = sub.add_parser("fetch", help="haal de publieke LMVW-release op (Nationale Woningbouwkaart)")
    f.add_argument("--base-url", default=None, help="standaard base_url uit de configuratie")
    f.add_argument("--dest", type=Path, default=Path("data/releases"))
    f.add_argument("--config", type=Path, default=None, help="standaard data/woningbouwkaart.yml")
    f.add_argument("--quiet", action="store_true")
    f.add_argument(
        "--keep-going",
        action="store_true",
        help="offline of een onbruikbaar bestand: één regel, exit 0, de eerder opgehaalde releases blijven",
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "fetch":
            return _fetch(args)
        if args.command == "build":
            from .pipeline import build

            summary = build(args.sources, args.db, quiet=args.quiet)
            print(
                f"{args.db}: {summary['plannen']} plannen, {summary['historie']} historierijen, "
                f"{summary['afgewezen']} rijen afgewezen, {summary['niet_openbaar']} niet openbaar, "
                f"{summary['problemen']} meldingen in ingest_problemen"
            )
            return 0
        from .check import check

        return check(
            args.file,
            args.kind,
            args.mapping,
            args.gemeenten,
            args.peildatum,
            args.max_problems,
            args.default,
            args.strict,
        )
    except FatalInput as exc:
        _fail(str(exc))
        return 2
    except KeyboardInterrupt:
        _fail("afgebroken; de gepubliceerde database is niet gewijzigd")
        return 130
    except MemoryError:
        _fail("onvoldoende geheugen; de gepubliceerde database is niet gewijzigd")
        return 2
    except sqlite3.Error as exc:
        # a full disk or a file-size limit reaches us from SQLite as "database or disk is full"
        target = getattr(args, "db", None)
        _fail(
            f"{target.parent if target else ''}: de nieuwe database kon niet geschreven worden ({exc}); de "
            "gepubliceerde database is niet gewijzigd"
        )
        return 2
    except OSError as exc:
        # disk full, permissions: still one clear line naming the file, never a traceback
        where = exc.filename or getattr(args, "db", None) or getattr(args, "dest", None) or ""
        _fail(f"{where}: {exc.strerror or exc}; de gepubliceerde database is niet gewijzigd")
        return 2


def _fetch(args) -> int:
    from .fetch import Unreachable, fetch
    from .release_files import load_config

    config = load_config(args.config)
    progress = None if args.quiet else (lambda line: print(line, file=sys.stderr, flush=True))
    try:
        result = fetch(args.base_url or config.base_url, args.dest, config, progress)
    except (Unreachable, FatalInput) as exc:
        if args.keep_going:  # make serve-lmvw: say it in one line and build from what was fetched before
            why = "geen netwerk" if isinstance(exc, Unreachable) else "niet opgehaald"
            print(f"{why} ({exc}); de eerder opgehaalde releases in {args.dest} worden gebruikt", file=sys.stderr)
            return 0
        _fail(str(exc))
        return 3 if isinstance(exc, Unreachable) else 2
    except KeyboardInterrupt:
        _fail(f"afgebroken; {args.dest} is niet gewijzigd")
        return 130
    if result["nieuw"]:
        print(
            f"{result['map']}: release opgeslagen (peildatum {result['peildatum'] or 'onbekend'}, "
            f"{len(result['bestanden'])} bestanden)"
        )
    else:
        print(f"{result['map']}: deze release is al opgehaald (zelfde sha256); niets opgeslagen")
    return 0


def _fail(message: str) -> None:
    """The one line a refused run prints (FatalInput's text is already one line; a path in an
    OSError is not, and may be megabytes long)."""
    print(f"FOUT: {one_line(message, 3 * MAX_MESSAGE)}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
