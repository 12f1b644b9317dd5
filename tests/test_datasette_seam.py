"""portal/datasette_seam.py is the one way into Datasette's internals, and only on the version it was
written for: another version stops the app at startup with a message saying what to do, and no plugin
reaches past the seam (imports of Datasette's internals, attributes stashed on its objects)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys

import datasette
import pytest

from portal import datasette_seam

from helpers import ROOT

# What plugins may import from Datasette themselves: its documented plugin API.
DOCUMENTED = {
    "datasette": {"hookimpl"},
    "datasette.utils": {"tilde_encode", "tilde_decode", "await_me_maybe", "parse_metadata"},
    "datasette.utils.asgi": {"Response", "Request", "NotFound", "Forbidden", "BadRequest"},
}
# Files of another change in progress, to move onto the seam (datasette_seam.cache, .escape_fts,
# .sqlite_timelimit, .escape_sqlite, .derive_named_parameters, .table_metadata): what they do now, no more.
PENDING: dict[str, set[str]] = {}  # plugins still reaching past the seam: none
# public-looking attributes of Datasette's objects that its documentation does not name
UNDOCUMENTED_ATTRIBUTES = {"static_mounts", "plugins_dir", "template_dir", "inspect_data"}


def reaches_past_the_seam(source: str) -> set[str]:
    """What a plugin's code takes from Datasette beyond its documented API, or keeps on its objects."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "datasette"}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "datasette":
            found |= {f"{node.module}.{a.name}" for a in node.names if a.name not in DOCUMENTED.get(node.module, ())}
        elif isinstance(node, ast.Attribute) and (
            node.attr in ("__dict__", "__version__", *UNDOCUMENTED_ATTRIBUTES) or re.fullmatch(r"_[a-z]\w*", node.attr)
        ):
            found.add(f".{node.attr}")  # a private attribute, or a cache kept in an object's __dict__
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("setattr", "getattr", "hasattr"):
            found.add(f"{node.func.id}()")
    return found


def test_the_scan_sees_what_it_forbids():
    source = (
        "from datasette.views.table import TableView\nimport datasette.app\nfrom datasette import __version__\n"
        "from datasette.utils import escape_sqlite, tilde_encode\nfrom datasette.utils.asgi import Response\n"
        "TableView.data = None\ndatasette.__dict__.setdefault('x', {})\nsetattr(datasette, '_x', 1)\n"
        "Datasette._table_permission_allows = None\nfor m, d in datasette.static_mounts: pass\n"
    )
    assert reaches_past_the_seam(source) == {
        "datasette.views.table.TableView",
        "datasette.app",
        "datasette.__version__",
        "datasette.utils.escape_sqlite",
        ".__dict__",
        "setattr()",
        "._table_permission_allows",
        ".static_mounts",
    }


def test_no_plugin_reaches_past_the_seam():
    plugins = sorted((ROOT / "plugins").glob("*.py"))
    assert len(plugins) > 10
    for path in plugins:
        found = reaches_past_the_seam(path.read_text(encoding="utf-8"))
        allowed = PENDING.get(path.name, set())
        assert found <= allowed, (
            f"plugins/{path.name} reaches into Datasette past portal/datasette_seam.py: {sorted(found - allowed)}"
        )


def test_another_version_is_refused_with_what_to_do():
    with pytest.raises(datasette_seam.SeamError) as refused:
        datasette_seam.check_version("0.65.6")
    message = str(refused.value)
    assert datasette_seam.DATASETTE_VERSION in message and "0.65.6" in message and "constraints.txt" in message
    datasette_seam.check_version(datasette_seam.DATASETTE_VERSION)  # the version it was written for passes


def test_the_app_does_not_start_on_another_version():
    # what `datasette serve --plugins-dir plugins` does first, with a Datasette that says it is 1.0a1
    script = (
        f"import datasette; datasette.__version__ = '1.0a1'\n"
        f"from datasette.app import Datasette\n"
        f"Datasette(memory=True, plugins_dir={str(ROOT / 'plugins')!r})\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode != 0
    assert "SeamError" in run.stderr and "written for Datasette 0.65.5, but Datasette 1.0a1 is installed" in run.stderr


def test_the_pin_is_the_version_the_seam_was_written_for():
    version = datasette_seam.DATASETTE_VERSION
    assert datasette.__version__ == version
    assert f'"datasette=={version}"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    constraints = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    assert f"datasette=={version}" in constraints
    # the whole set is locked: every line an exact pin, and the project itself is not in it
    pins = [line for line in constraints if line and not line.startswith("#")]
    assert pins and all(re.fullmatch(r"[A-Za-z0-9_.\-\[\],]+==[^=\s]+", line) for line in pins), pins
    assert not any(line.lower().startswith("woningbouwplannen") for line in pins)


def test_caches_belong_to_one_app():
    class App:  # any object a Datasette app can be; weakly referenced
        pass

    one, other = App(), App()
    datasette_seam.cache(one, "t")["k"] = 1
    assert datasette_seam.cache(one, "t") == {"k": 1} and datasette_seam.cache(other, "t") == {}
    assert datasette_seam.cache(one, "list", list) == []
