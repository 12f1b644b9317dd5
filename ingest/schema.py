"""The published tables and their allow-listed columns, in one place.

Nothing reaches the database unless it is named here: writers select these
columns by name from validated rows, so an unknown or private source column has
no path into the file.
"""

from __future__ import annotations

# Every published coordinate (the geometrie columns, every GeoJSON download and view, the points):
# 7 decimals of a degree is about 1 cm, finer than any plan outline is drawn (RFC 7946 section 11.2).
# The database's name: in every URL (/woningbouwplannen/...), whatever the built file is called
DATABASE = "woningbouwplannen"
COORDINATE_DECIMALS = 7

PLAN_COLUMNS: dict[str, str] = {
    "plan_id": "TEXT",
    "naam": "TEXT",
    "gemeentecode": "TEXT",
    "gemeente": "TEXT",
    "provincie": "TEXT",
    "woondealregio": "TEXT",
    "planstatus": "TEXT",
    "planstatus_bron": "TEXT",
    "hardheid": "TEXT",
    "lopend": "INTEGER",  # 1 = a plan still to be built: not lapsed, not delivered (NIET_LOPEND)
    "woningen": "INTEGER",  # bruto plancapaciteit: homes to be built
    "sloop": "INTEGER",
    "netto": "INTEGER",  # woningen - sloop, the LMVW's headline figure; negative for restructuring
    "sociale_huur": "INTEGER",
    "middenhuur": "INTEGER",
    "dure_huur": "INTEGER",
    "huur_onbekend": "INTEGER",
    "betaalbare_koop": "INTEGER",
    "dure_koop": "INTEGER",
    "koop_onbekend": "INTEGER",
    "segment_onbekend": "INTEGER",
    "betaalbaar": "INTEGER",
    "grondgebonden": "INTEGER",
    "meergezins": "INTEGER",
    "locatie": "TEXT",
    "start_bouw": "INTEGER",
    "oplevering_start": "INTEGER",
    "oplevering_eind": "INTEGER",
    "tijdvak": "TEXT",
    "doorbraaklocatie": "TEXT",
    "nplv_gebied": "TEXT",
    "latitude": "REAL",
    "longitude": "REAL",
    "punt_bron": "TEXT",
    "geometrie": "TEXT",
    "oppervlakte_ha": "REAL",
    "omschrijving": "TEXT",
    "peildatum": "TEXT",
    "bron": "TEXT",
}

# plan_historie: every plan in every export (one row per plan per peildatum)
HISTORY_COLUMNS: dict[str, str] = {
    "plan_id": "TEXT",
    "peildatum": "TEXT",
    **{
        k: v
        for k, v in PLAN_COLUMNS.items()
        if k not in ("plan_id", "peildatum", "geometrie", "punt_bron", "latitude", "longitude", "oppervlakte_ha")
    },
}

FACET_COLUMNS = (
    "provincie",
    "gemeente",
    "gemeentecode",
    "planstatus",
    "hardheid",
    "woondealregio",
    "locatie",
    "tijdvak",
    "start_bouw",
    "doorbraaklocatie",
    "lopend",
)

# The one population every figure of the portal counts: lopende plannen, neither lapsed nor already
# delivered. Pages, maps, totals and canned queries say `lopend = 1`; they never repeat this list.
NIET_LOPEND = ("vervallen", "opgeleverd")

# The planstatus vocabulary: the steps a plan moves through, in order (ingest/history.py says "status
# vooruit" or "terug" by it), then the two outside that order. Pages list the statuses from here.
PLANSTATUS_STAPPEN = (
    "idee/visie",
    "in voorbereiding",
    "ontwerp",
    "vastgesteld",
    "onherroepelijk",
    "in aanbouw",
    "opgeleverd",
)
PLANSTATUSSEN = (*PLANSTATUS_STAPPEN, "vervallen", "onbekend")

# the facets metadata.yml shows on the plannen table page (kept equal by a test)
DEFAULT_FACETS = ("provincie", "gemeente", "planstatus", "hardheid")

FTS_COLUMNS = ("naam", "omschrijving", "gemeente")

BRONNEN_COLUMNS: dict[str, str] = {
    "id": "INTEGER",
    "bestand": "TEXT",
    "soort": "TEXT",
    "mapping": "TEXT",
    "sha256": "TEXT",
    "bytes": "INTEGER",
    "peildatum": "TEXT",
    "rijen_gelezen": "INTEGER",
    "rijen_geladen": "INTEGER",
    "rijen_afgewezen": "INTEGER",
    "rijen_niet_openbaar": "INTEGER",
    "waarschuwingen": "INTEGER",
    "voorbeelddata": "INTEGER",
    "herkomst": "TEXT",  # where the file was fetched from (ingest fetch), when known
    "opgehaald_op": "TEXT",
    "geladen_op": "TEXT",
    "toelichting": "TEXT",
}

PROBLEMEN_COLUMNS: dict[str, str] = {
    "id": "INTEGER",
    "bron_id": "INTEGER",
    "bestand": "TEXT",
    "rij": "INTEGER",
    "plan_id": "TEXT",
    "kolom": "TEXT",
    "veld": "TEXT",
    "waarde": "TEXT",
    "ernst": "TEXT",
    "code": "TEXT",
    "melding": "TEXT",
}

GEMEENTE_COLUMNS: dict[str, str] = {
    "gemeentecode": "TEXT",
    "gemeentenaam": "TEXT",
    "provincie": "TEXT",
    "latitude": "REAL",
    "longitude": "REAL",
}

PLANSTATUS_COLUMNS: dict[str, str] = {
    "label": "TEXT",
    "planstatus": "TEXT",
    "hardheid": "TEXT",
    "mapping": "TEXT",
}

# plangebieden: each plan's area at full precision (ingest/kinds/plangebieden.py)
PLANGEBIED_COLUMNS: dict[str, str] = {
    "plan_id": "TEXT",
    "naam": "TEXT",
    "gemeentecode": "TEXT",
    "oppervlakte_ha": "REAL",
    "latitude": "REAL",
    "longitude": "REAL",
    # the outline's bounding box (WGS84): /-/plangebieden.json selects the areas of a map view by it
    "west": "REAL",
    "zuid": "REAL",
    "oost": "REAL",
    "noord": "REAL",
    "hersteld": "INTEGER",
    "bron": "TEXT",
    "bron_rijen": "TEXT",
    "geometrie": "TEXT",
}

# doorbraaklocaties: sourced facts, outline and plan totals (ingest/kinds/doorbraaklocaties.py)
DOORBRAAK_COLUMNS: dict[str, str] = {
    "naam": "TEXT",
    "gemeentecode": "TEXT",
    "gemeente": "TEXT",
    "provincie": "TEXT",
    "woningen": "INTEGER",
    "woningen_toelichting": "TEXT",
    "status": "TEXT",
    "bron": "TEXT",
    "bron_url": "TEXT",
    "geverifieerd": "INTEGER",
    "plannen_aantal": "INTEGER",
    "plannen_woningen": "INTEGER",
    "plannen_netto": "INTEGER",
    "plannen_betaalbaar": "INTEGER",
    "latitude": "REAL",
    "longitude": "REAL",
    "oppervlakte_ha": "REAL",
    "geometrie": "TEXT",
    "geometrie_bron": "TEXT",
    "geometrie_indicatief": "INTEGER",
}

# the five price segments of a plan whose price class is known (homes per segment)
SEGMENT_COLUMNS = ("sociale_huur", "middenhuur", "dure_huur", "betaalbare_koop", "dure_koop")
# every homes-per-class column a source can fill: the known segments, rent or buy of unknown
# price, and homes of unknown segment; their sum may not exceed the bruto homes (a warning)
PRICE_CLASS_COLUMNS = (*SEGMENT_COLUMNS, "huur_onbekend", "koop_onbekend", "segment_onbekend")

# the release's own aggregates, published as they are (ingest/kinds/woningbouwkaart.py)
LMVW_GEMEENTE_COLUMNS: dict[str, str] = {
    "gemeentecode": "TEXT",
    "gemeente": "TEXT",
    "provincie": "TEXT",
    "woondealregio": "TEXT",
    "peildatum": "TEXT",
    "netto": "INTEGER",
    "hard": "INTEGER",
    "zacht": "INTEGER",
    "bron": "TEXT",
}
LMVW_WOONDEAL_COLUMNS: dict[str, str] = {
    "woondealregio": "TEXT",
    "peildatum": "TEXT",
    "netto": "INTEGER",
    "hard": "INTEGER",
    "zacht": "INTEGER",
    "bron": "TEXT",
}

# what the map data (plugins/map_data.py) filters on: column = value on an indexed column, or plans
# with homes in one of these segments
MAP_FILTERS = FACET_COLUMNS
MAP_SEGMENTS = (*PRICE_CLASS_COLUMNS, "betaalbaar")

# cijfers_per_gebied: totals per area computed at build time (ingest/summary.py); lapsed plans left out
SUMMARY_COLUMNS: dict[str, str] = {
    "niveau": "TEXT",
    "code": "TEXT",
    "naam": "TEXT",
    "provincie": "TEXT",
    "plannen": "INTEGER",  # lopende plannen (lopend = 1); the two below are left out, and counted
    "plannen_vervallen": "INTEGER",
    "plannen_opgeleverd": "INTEGER",
    "gemeenten": "INTEGER",
    # netto (bruto minus sloop) is the headline, as the LMVW counts; hard + zacht + onbekend = netto
    "netto": "INTEGER",
    "netto_hard": "INTEGER",
    "netto_zacht": "INTEGER",
    "netto_onbekend": "INTEGER",
    "woningen": "INTEGER",  # bruto: homes to be built
    "woningen_hard": "INTEGER",
    "woningen_zacht": "INTEGER",
    "woningen_onbekend": "INTEGER",
    "sloop": "INTEGER",
    **{c: PLAN_COLUMNS[c] for c in (*PRICE_CLASS_COLUMNS, "betaalbaar")},
    "woningen_segment_bekend": "INTEGER",  # bruto homes in one of the five known price segments
    "peildatum": "TEXT",
    "netto_lmvw": "INTEGER",  # the release's own total (lmvw_gemeenten, lmvw_woondealregios), where it gives one
    "peildatum_lmvw": "TEXT",
}
