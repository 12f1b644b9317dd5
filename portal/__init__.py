"""Code the portal's Datasette plugins share (plugins/ is a plugins directory, not a package)."""
