"""Dependency audit for CI: pip-audit over the installed environment (`make audit`).

Fails on any known vulnerability. When no vulnerability service can be reached (this build
machine resolves neither OSV nor PyPI's per-release JSON), it says so plainly and does not fail
the build: an audit that could not run is reported, never passed off as clean.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path


def run(service: str) -> tuple[str, dict | None, str]:
    """('vulnerable' | 'clean' | 'unreachable', report, output) for one vulnerability service."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "audit.json"
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip_audit",
                "--skip-editable",
                "--progress-spinner",
                "off",
                "--vulnerability-service",
                service,
                "--format",
                "json",
                "--output",
                str(out),
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        report = json.loads(out.read_text()) if out.exists() and out.stat().st_size else None
    text = proc.stdout + proc.stderr
    if report is None:
        return "unreachable", None, text
    deps = report.get("dependencies", [])
    if any(d.get("vulns") for d in deps):
        return "vulnerable", report, text
    audited = [d for d in deps if "skip_reason" not in d]
    return ("clean" if audited else "unreachable"), report, text


def main() -> int:
    for service in ("osv", "pypi"):
        status, report, text = run(service)
        if status == "vulnerable":
            for d in report["dependencies"]:
                for v in d.get("vulns", []):
                    print(
                        f"KWETSBAAR: {d['name']} {d['version']}: {v['id']} (opgelost in {', '.join(v.get('fix_versions') or ['?'])})"
                    )
            return 1
        if status == "clean":
            skipped = [d["name"] for d in report["dependencies"] if "skip_reason" in d]
            print(
                f"pip-audit ({service}): geen bekende kwetsbaarheden in {len(report['dependencies']) - len(skipped)} "
                f"pakketten" + (f"; niet gecontroleerd: {', '.join(skipped)}" if skipped else "")
            )
            return 0
        print(f"pip-audit ({service}): vulnerability service niet bereikbaar of gaf geen gegevens")
    print(
        "AUDIT NIET UITGEVOERD: geen vulnerability service bereikbaar vanaf deze machine "
        "(OSV en PyPI); de build faalt hierom niet, controleer handmatig met `make audit` waar wel netwerk is"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
