"""The facts the accessibility and privacy statements (/toegankelijkheid, /privacy) state, read from where they
are decided rather than written into the pages: the operator and its contact and the log retention
(metadata.yml, plugins: woningbouwplannen), and the versions of the test tools (package.json).
"""

from __future__ import annotations

import json
from pathlib import Path

from datasette import hookimpl

from ingest import site

ROOT = Path(__file__).resolve().parent.parent
STATEMENTS = ("pages/toegankelijkheid.html", "pages/privacy.html")


def tool_versions() -> dict[str, str]:
    """{'axe-core': '4.14.1', 'vnu-jar': ...}: the exact versions the test suite runs (package.json)."""
    try:
        return json.loads((ROOT / "package.json").read_text(encoding="utf-8")).get("devDependencies", {})
    except (OSError, ValueError):
        return {}


def statement_facts(config: dict | None) -> dict:
    config = config or {}
    contact = config.get("contact") if isinstance(config.get("contact"), dict) else {}
    publisher = config.get("publisher") if isinstance(config.get("publisher"), dict) else {}
    return {
        "publisher": publisher.get("name"),
        "contact_email": contact.get("email"),
        "contact_url": contact.get("url"),
        "log_days": config.get("log_days"),
        "tools": tool_versions(),
    }


@hookimpl
def extra_template_vars(template, datasette):
    if template not in STATEMENTS:
        return {}
    return {"verklaring": statement_facts(datasette.plugin_config(site.PLUGIN))}
