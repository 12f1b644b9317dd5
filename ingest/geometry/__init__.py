"""The geometry library the kinds call: read vector files, check and repair outlines, make a plan's area.

- read.py: a vector file (GeoJSON, GeoPackage, zipped Shapefile, TopoJSON) -> layers, safely;
- features.py: each feature's outline prepared (valid, in RD New, inside the Netherlands) or rejected;
- shapes.py: the operations on one outline (repair, point inside, area, GeoJSON at the published precision)
  and the municipality outlines (Places);
- areas.py: one plan's parts -> its `plangebieden` row and the area columns of the plan.

It imports nothing of ingest/kinds or of the pipeline: which file gives which plan its area is the
kinds' and the pipeline's business (ingest/pipeline.py, the areas and sites steps).
"""
