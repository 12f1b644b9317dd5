"""Plain Datasette for baselines: the `datasette` CLI with no plugins at all.

Plugins installed in the venv load through setuptools entry points whatever the command
line says; this wrapper switches that off before Datasette imports, so the baseline is
`datasette serve -i file.db` with default settings, no metadata and no plugins.
"""

import sys

import pluggy

pluggy.PluginManager.load_setuptools_entrypoints = lambda self, group, name=None: 0

from datasette.cli import cli  # noqa: E402  (after the patch on purpose)

if __name__ == "__main__":
    sys.exit(cli())
