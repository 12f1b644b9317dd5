"""The old home of the build, kept so `from ingest.build import build` goes on working.

The build is ingest/pipeline.py (its steps, in order). What was here moved: load_sources ->
pipeline.read_gemeenten / read_plans, combine -> history.combine, keep_older_areas and the
punt_bron rule -> pipeline (areas, points), write_database -> database.write, pin_releases and the
swap -> publish.py; geometry.run -> pipeline (areas, sites), geometry.write_downloads -> geojson.write.
"""

from __future__ import annotations

from .pipeline import build

__all__ = ["build"]
