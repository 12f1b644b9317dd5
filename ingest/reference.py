"""Sourced facts: national targets, realisation and price limits.

Only figures with a citable source are seeded here; each row carries it.
"""
from __future__ import annotations

from .write import write_table

KAMERBRIEF_WOONTOP = ("Kamerbrief Bestuurlijk Overleg Woontop d.d. 8 december 2025: Eén jaar Woontop "
                      "(Kamerstuk 32847-1395)")
KAMERBRIEF_WOONTOP_URL = "https://zoek.officielebekendmakingen.nl/kst-32847-1395.html"
KAMERBRIEF_MONITORING = "Kamerbrief Monitoring Woningbouw, 20 mei 2025 (Kamerstuk 32847-1346)"
EENVANDAAG = "EenVandaag, december 2024: '100.000 woningen per jaar erbij, maar wie kan die huizen betalen'"

DOELEN = [
    {"id": "nieuwbouw_per_jaar", "gebied": "Nederland", "omschrijving": "Nieuwe woningen per jaar",
     "waarde": 100000, "eenheid": "woningen per jaar", "bron": KAMERBRIEF_WOONTOP, "bron_url": KAMERBRIEF_WOONTOP_URL},
    {"id": "aandeel_betaalbaar", "gebied": "Nederland",
     "omschrijving": "Aandeel betaalbaar (sociale huur, middenhuur, betaalbare koop) van de nieuwbouw",
     "waarde": 2 / 3, "eenheid": "fractie", "bron": KAMERBRIEF_WOONTOP, "bron_url": KAMERBRIEF_WOONTOP_URL},
    {"id": "aandeel_sociaal", "gebied": "Nederland", "omschrijving": "Aandeel sociale huur van de nieuwbouw",
     "waarde": 0.30, "eenheid": "fractie", "bron": KAMERBRIEF_WOONTOP, "bron_url": KAMERBRIEF_WOONTOP_URL},
]

REALISATIE = [
    {"id": "nieuwbouw_2024_10_2025_09", "gebied": "Nederland", "gebiedscode": "NL01", "maat": "gerealiseerde woningen",
     "periode_van": "2024-10-01", "periode_tot": "2025-09-30", "waarde": 77600,
     "bron": "CBS, geciteerd in " + KAMERBRIEF_WOONTOP, "bron_url": KAMERBRIEF_WOONTOP_URL},
    {"id": "vergunningen_2024_10_2025_09", "gebied": "Nederland", "gebiedscode": "NL01", "maat": "woningen met bouwvergunning",
     "periode_van": "2024-10-01", "periode_tot": "2025-09-30", "waarde": 104000,
     "bron": "CBS, geciteerd in " + KAMERBRIEF_WOONTOP, "bron_url": KAMERBRIEF_WOONTOP_URL},
]

PRIJSGRENZEN = [
    {"jaar": 2025, "segment": "betaalbare_koop", "grens": 405000, "eenheid": "euro koopprijs (maximum)", "bron": EENVANDAAG},
    {"jaar": 2025, "segment": "middenhuur", "grens": 1185, "eenheid": "euro huur per maand (maximum)", "bron": EENVANDAAG},
]

DOEL_COLUMNS = {"id": "TEXT", "gebied": "TEXT", "omschrijving": "TEXT", "waarde": "REAL", "eenheid": "TEXT",
                "bron": "TEXT", "bron_url": "TEXT"}
REALISATIE_COLUMNS = {"id": "TEXT", "gebied": "TEXT", "gebiedscode": "TEXT", "maat": "TEXT", "periode_van": "TEXT",
                      "periode_tot": "TEXT", "waarde": "INTEGER", "bron": "TEXT", "bron_url": "TEXT"}
PRIJSGRENS_COLUMNS = {"jaar": "INTEGER", "segment": "TEXT", "grens": "INTEGER", "eenheid": "TEXT", "bron": "TEXT"}


def write(conn, realisatie_rows: list[dict] | None = None) -> None:
    write_table(conn, "doelen", DOEL_COLUMNS, DOELEN, pk="id")
    write_table(conn, "realisatie", REALISATIE_COLUMNS, [*REALISATIE, *(realisatie_rows or [])], pk="id")
    write_table(conn, "prijsgrenzen", PRIJSGRENS_COLUMNS, PRIJSGRENZEN,
                extra=",\n  PRIMARY KEY (jaar, segment)")
    conn.execute("""CREATE TABLE provincies AS
        SELECT provincie, count(*) AS gemeenten FROM gemeenten GROUP BY provincie ORDER BY provincie""")
