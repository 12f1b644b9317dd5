"""Sourced facts: national targets, realisation and price limits.

Only figures with a citable source are seeded here; each row carries it.
"""

from __future__ import annotations

from .write import write_table

KAMERBRIEF_WOONTOP = (
    "Kamerbrief Bestuurlijk Overleg Woontop d.d. 8 december 2025: Eén jaar Woontop (Kamerstuk 32847-1395)"
)
KAMERBRIEF_WOONTOP_URL = "https://zoek.officielebekendmakingen.nl/kst-32847-1395.html"
KAMERBRIEF_MONITORING = "Kamerbrief Monitoring Woningbouw, 20 mei 2025 (Kamerstuk 32847-1346)"
# The letter's own words, so a reader can check each figure against the source.
CITAAT_DOELEN = (
    "We benutten de kansen die bijdragen aan het realiseren van onze gezamenlijke doelstelling van "
    "100.000 woningen per jaar, waarvan 2/3 betaalbaar en 30% sociaal."
)
CITAAT_GEREALISEERD = (
    "In de maanden oktober 2024 tot en met september 2025 zijn er op basis van de CBS-cijfers "
    "77.600 woningen gerealiseerd."
)
CITAAT_VERGUNNINGEN = "In diezelfde periode zijn er voor 104.000 woningen bouwvergunningen verstrekt."
# The price limits come from the instruments that set them (a television item once quoted them: not a source)
WET_BETAALBARE_HUUR = (
    "Wet betaalbare huur (in werking 1 juli 2024): middenhuur is een huurwoning tot 186 punten in het "
    "woningwaarderingsstelsel; de maximale huurprijs bij 186 punten is per 1 januari 2025 € 1.184,82 "
    "(Rijksoverheid)"
)
WET_BETAALBARE_HUUR_URL = "https://www.rijksoverheid.nl/onderwerpen/huurwoning-zoeken"
KOOPGRENS = (
    "Betaalbare koopgrens 2025, vastgesteld door het ministerie van Volkshuisvesting en Ruimtelijke Ordening "
    "(Volkshuisvesting Nederland, woondeal-afspraken: koopwoning tot € 405.000)"
)
KOOPGRENS_URL = "https://www.volkshuisvestingnederland.nl"

DOELEN = [
    {
        "id": "nieuwbouw_per_jaar",
        "gebied": "Nederland",
        "omschrijving": "Nieuwe woningen per jaar",
        "waarde": 100000,
        "eenheid": "woningen per jaar",
        "bron": KAMERBRIEF_WOONTOP,
        "bron_url": KAMERBRIEF_WOONTOP_URL,
        "citaat": CITAAT_DOELEN,
    },
    {
        "id": "aandeel_betaalbaar",
        "gebied": "Nederland",
        "omschrijving": "Aandeel betaalbaar (sociale huur, middenhuur, betaalbare koop) van de nieuwbouw",
        "waarde": 2 / 3,
        "eenheid": "fractie",
        "bron": KAMERBRIEF_WOONTOP,
        "bron_url": KAMERBRIEF_WOONTOP_URL,
        "citaat": CITAAT_DOELEN,
    },
    {
        "id": "aandeel_sociaal",
        "gebied": "Nederland",
        "omschrijving": "Aandeel sociale huur van de nieuwbouw",
        "waarde": 0.30,
        "eenheid": "fractie",
        "bron": KAMERBRIEF_WOONTOP,
        "bron_url": KAMERBRIEF_WOONTOP_URL,
        "citaat": CITAAT_DOELEN,
    },
]

REALISATIE = [
    {
        "id": "nl_gerealiseerd_2024_10_2025_09",
        "gebied": "Nederland",
        "gebiedscode": "NL01",
        "gebiedssoort": "land",
        "maat": "gerealiseerde_woningen",
        "periode": "2024-10 t/m 2025-09",
        "periode_van": "2024-10-01",
        "periode_tot": "2025-09-30",
        "waarde": 77600,
        "bron": "CBS-cijfers, geciteerd in " + KAMERBRIEF_WOONTOP,
        "bron_url": KAMERBRIEF_WOONTOP_URL,
        "citaat": CITAAT_GEREALISEERD,
    },
    {
        "id": "nl_bouwvergunningen_2024_10_2025_09",
        "gebied": "Nederland",
        "gebiedscode": "NL01",
        "gebiedssoort": "land",
        "maat": "woningen_met_bouwvergunning",
        "periode": "2024-10 t/m 2025-09",
        "periode_van": "2024-10-01",
        "periode_tot": "2025-09-30",
        "waarde": 104000,
        "bron": "CBS-cijfers, geciteerd in " + KAMERBRIEF_WOONTOP,
        "bron_url": KAMERBRIEF_WOONTOP_URL,
        "citaat": CITAAT_VERGUNNINGEN,
    },
]

PRIJSGRENZEN = [
    {
        "jaar": 2025,
        "segment": "betaalbare_koop",
        "grens": 405000,
        "eenheid": "euro koopprijs (maximum)",
        "bron": KOOPGRENS,
        "bron_url": KOOPGRENS_URL,
    },
    {
        "jaar": 2025,
        "segment": "middenhuur",
        "grens": 1185,
        "eenheid": "euro huur per maand (maximum, afgerond)",
        "bron": WET_BETAALBARE_HUUR,
        "bron_url": WET_BETAALBARE_HUUR_URL,
    },
]

DOEL_COLUMNS = {
    "id": "TEXT",
    "gebied": "TEXT",
    "omschrijving": "TEXT",
    "waarde": "REAL",
    "eenheid": "TEXT",
    "bron": "TEXT",
    "bron_url": "TEXT",
    "citaat": "TEXT",
}
REALISATIE_COLUMNS = {
    "id": "TEXT",
    "gebied": "TEXT",
    "gebiedscode": "TEXT",
    "gebiedssoort": "TEXT",
    "gemeente_2025": "INTEGER",
    "maat": "TEXT",
    "categorie": "TEXT",
    "jaar": "INTEGER",
    "periode": "TEXT",
    "periode_van": "TEXT",
    "periode_tot": "TEXT",
    "waarde": "INTEGER",
    "bron": "TEXT",
    "bron_url": "TEXT",
    "citaat": "TEXT",
    "bron_id": "INTEGER",
}
PRIJSGRENS_COLUMNS = {
    "jaar": "INTEGER",
    "segment": "TEXT",
    "grens": "INTEGER",
    "eenheid": "TEXT",
    "bron": "TEXT",
    "bron_url": "TEXT",
}


def write(conn, realisatie_rows: list[dict] | None = None) -> None:
    write_table(conn, "doelen", DOEL_COLUMNS, DOELEN, pk="id")
    write_table(conn, "realisatie", REALISATIE_COLUMNS, [*REALISATIE, *(realisatie_rows or [])], pk="id")
    for column in ("gebiedscode", "maat", "jaar"):
        conn.execute(f"CREATE INDEX idx_realisatie_{column} ON realisatie({column})")
    write_table(conn, "prijsgrenzen", PRIJSGRENS_COLUMNS, PRIJSGRENZEN, extra=",\n  PRIMARY KEY (jaar, segment)")
    conn.execute("""CREATE TABLE provincies AS
        SELECT provincie, count(*) AS gemeenten FROM gemeenten GROUP BY provincie ORDER BY provincie""")
