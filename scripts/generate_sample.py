"""Deterministic generator of the SAMPLE plans exports (voorbeelddata).

Every plan, name and figure written here is invented; only the municipality
codes, names and provinces are real (data/reference/gemeenten.csv). Output:

  data/sample/plannen_2025-04-01.xlsx   older export, as a supplier's workbook
  data/sample/plannen_2025-10-01.csv    newer export, as Dutch Excel writes it
                                         (';', cp1252, decimal comma)

Both carry the mess real exports have: rows the ingest must reject, non-public
plans (Openbaar = nee) and non-public columns. Run: make sample
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = 20251001
N_PLANS = 3200
PEIL_OUD, PEIL_NIEUW = "2025-04-01", "2025-10-01"

HEADER = [
    "Plan-ID",
    "Plannaam",
    "Gemeentecode",
    "Gemeente",
    "Provincie",
    "Woondealregio",
    "Planstatus",
    "Aantal woningen",
    "Sloop",
    "Sociale huur",
    "Middenhuur",
    "Dure huur",
    "Betaalbare koop",
    "Dure koop",
    "Nader te bepalen",
    "Grondgebonden",
    "Meergezins",
    "Locatie",
    "Start bouw",
    "Oplevering vanaf",
    "Oplevering tot en met",
    "Doorbraaklocatie",
    "Latitude",
    "Longitude",
    "Omschrijving",
    "Openbaar",
    "Peildatum",
    "Contactpersoon",
    "E-mail",
    "Opmerkingen intern",
]

STATUSES = [  # label as suppliers write it, weight, typical start-bouw offset from 2025
    ("Idee/visie", 18, (3, 10)),
    ("In voorbereiding", 20, (2, 6)),
    ("Ontwerp", 14, (1, 4)),
    ("Vastgesteld", 14, (0, 3)),
    ("Onherroepelijk", 14, (0, 2)),
    ("In aanbouw", 12, (-2, 0)),
    ("Opgeleverd", 5, (-4, -2)),
    ("Vervallen", 3, (0, 5)),
]
SEGMENT_HEADERS = ("Sociale huur", "Middenhuur", "Dure huur", "Betaalbare koop", "Dure koop", "Nader te bepalen")
STATUS_STEP = ["Idee/visie", "In voorbereiding", "Ontwerp", "Vastgesteld", "Onherroepelijk", "In aanbouw", "Opgeleverd"]
BUILT = ("In aanbouw", "Opgeleverd")  # started by the peildatum: Start bouw not after its year

# Real doorbraaklocaties with their municipality (research lmvw-data.md §3.1); the plans are invented.
DOORBRAAK = {"GM1963": "Stougjeswijk", "GM1892": "Cortelande", "GM0394": "Lisserbroek"}
ALMERE = ("GM0034", ["Oosterwold", "Pampus"])
CITIES = {
    "GM0363": 40,
    "GM0599": 30,
    "GM0518": 25,
    "GM0344": 25,
    "GM0034": 18,
    "GM0772": 12,
    "GM0014": 12,
    "GM0855": 10,
    "GM0758": 10,
    "GM0268": 10,
    "GM0394": 10,
    "GM1892": 8,
    "GM1963": 6,
    "GM0307": 8,
    "GM0200": 7,
    "GM0202": 8,
    "GM0479": 7,
    "GM0153": 7,
    "GM0796": 8,
    "GM0934": 5,
    "GM0935": 6,
}

PLACES = [
    "Stationsgebied",
    "Havenkwartier",
    "De Kade",
    "Oostpoort",
    "Westerpark",
    "Zuidrand",
    "Molenwijk",
    "Het Veld",
    "Kerkbuurt",
    "Dorpshart",
    "Spoorzone",
    "Beekdal",
    "De Weide",
    "Noorderhof",
    "Polderzicht",
    "Singelhof",
    "Bolwerk",
    "Fabriekslaan",
    "Schoolstraat",
    "Marktplein",
    "Landgoed Hoeve",
    "De Tuinen",
    "Waterfront",
    "Lindehof",
    "Ringdijk",
    "Vaartkwartier",
    "Centrumplan",
    "Oude Haven",
    "Energiehof",
    "Parkzoom",
    "Buitenhof",
    "Slotenbuurt",
    "Zuidas-Oost",
    "Leeuwenhof",
    "Esdoornlaan",
    "Nieuw Rijk",
]
KINDS = [
    "woningen",
    "herontwikkeling",
    "transformatie kantoor",
    "inbreiding",
    "uitbreiding",
    "fase 1",
    "fase 2",
    "fase 3",
    "zorgwoningen",
    "starterswoningen",
    "tiny houses",
    "flexwoningen",
    "appartementen",
]
WORDS = [
    "duurzaam",
    "energieneutraal",
    "groen",
    "aan het water",
    "nabij het station",
    "met parkeerhof",
    "houtbouw",
    "voor starters",
    "levensloopbestendig",
    "met binnentuin",
    "gasloos",
    "circulair",
]


def load_gemeenten():
    with open(ROOT / "data/reference/gemeenten.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def load_shapes():
    """Municipality polygons (WGS84) to keep sample points inside their municipality."""
    path = ROOT / "data/reference/gemeenten_2025.geojson"
    if not path.exists():
        return {}
    from shapely.geometry import shape
    from shapely.prepared import prep

    doc = json.loads(path.read_text(encoding="utf-8"))
    return {
        f["properties"]["gemeentecode"]: (shape(f["geometry"]), prep(shape(f["geometry"]))) for f in doc["features"]
    }


def point_in(rng, g, shapes):
    lat0, lon0 = float(g["latitude"]), float(g["longitude"])
    if g["gemeentecode"] not in shapes:
        return lat0, lon0
    from shapely.geometry import Point

    poly, prepared = shapes[g["gemeentecode"]]
    minx, miny, maxx, maxy = poly.bounds
    for _ in range(200):
        lon, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if prepared.contains(Point(lon, lat)):
            return round(lat, 6), round(lon, 6)
    return lat0, lon0


def size(rng) -> int:
    n = int(math.exp(rng.gauss(3.6, 1.25)))
    return max(1, min(n, 6000))


def split_segments(rng, total: int, status: str) -> dict:
    if status in ("Idee/visie",) and rng.random() < 0.6:
        return {"Nader te bepalen": total}
    weights = {
        "Sociale huur": rng.uniform(0.1, 0.4),
        "Middenhuur": rng.uniform(0.05, 0.25),
        "Dure huur": rng.uniform(0.0, 0.12),
        "Betaalbare koop": rng.uniform(0.05, 0.3),
        "Dure koop": rng.uniform(0.05, 0.4),
        "Nader te bepalen": rng.uniform(0.0, 0.3),
    }
    s = sum(weights.values())
    out = {k: int(total * w / s) for k, w in weights.items()}
    out["Nader te bepalen"] += total - sum(out.values())
    return out


def coherent(plan: dict, year: int) -> dict:
    """A plan In aanbouw or Opgeleverd has started building by the peildatum's year, and an
    Opgeleverd plan is finished by then: years after it are pulled back to it (no random draw,
    so the rest of the sample stays the same). Keeps Start bouw <= Oplevering vanaf <= tot en met."""
    if plan["Planstatus"] not in BUILT:
        return plan
    if plan["Start bouw"] and plan["Start bouw"] > year:
        plan["Start bouw"] = year
    if plan["Planstatus"] == "Opgeleverd":
        for k in ("Oplevering vanaf", "Oplevering tot en met"):
            if plan[k] and plan[k] > year:
                plan[k] = year
        if plan["Start bouw"] and plan["Oplevering vanaf"]:
            plan["Start bouw"] = min(plan["Start bouw"], plan["Oplevering vanaf"])
    if plan["Start bouw"] and plan["Oplevering vanaf"] and plan["Oplevering vanaf"] < plan["Start bouw"]:
        plan["Oplevering vanaf"] = plan["Start bouw"]
    if (
        plan["Oplevering vanaf"]
        and plan["Oplevering tot en met"]
        and plan["Oplevering tot en met"] < plan["Oplevering vanaf"]
    ):
        plan["Oplevering tot en met"] = plan["Oplevering vanaf"]
    return plan


def make_plan(rng, n, g, shapes, names_used, peil: str = PEIL_OUD):
    status, _, (lo, hi) = rng.choices(STATUSES, weights=[s[1] for s in STATUSES])[0]
    total = size(rng)
    while True:
        name = f"{rng.choice(PLACES)} {rng.choice(KINDS)}"
        if (g["gemeentecode"], name) not in names_used:
            names_used.add((g["gemeentecode"], name))
            break
    start = 2025 + rng.randint(lo, hi) if rng.random() > 0.08 else None
    segs = split_segments(rng, total, status)
    ground = int(total * rng.uniform(0, 1)) if total < 80 else int(total * rng.uniform(0, 0.3))
    lat, lon = point_in(rng, g, shapes)
    plan = {
        "Plan-ID": f"{g['gemeentecode']}-{n:05d}",
        "Plannaam": name,
        "Gemeentecode": g["gemeentecode"],
        "Gemeente": g["gemeentenaam"],
        "Provincie": g["provincie"],
        "Woondealregio": f"{g['provincie']} (voorbeeldregio)",
        "Planstatus": status,
        "Aantal woningen": total,
        "Sloop": rng.choice([0, 0, 0, 0, int(total * 0.2)]),
        **{k: v for k, v in segs.items()},
        "Grondgebonden": ground,
        "Meergezins": total - ground,
        "Locatie": rng.choices(["binnenstedelijk", "buitenstedelijk", ""], weights=[58, 36, 6])[0],
        "Start bouw": start,
        "Oplevering vanaf": start + 1 if start else None,
        "Oplevering tot en met": start + 1 + rng.randint(0, 3) if start else None,
        "Doorbraaklocatie": "",
        "Latitude": lat,
        "Longitude": lon,
        "Omschrijving": f"Voorbeeldplan: {total} woningen, {rng.choice(WORDS)}, {rng.choice(WORDS)}.",
        "Openbaar": "ja",
        "Contactpersoon": f"Medewerker {n % 97} (voorbeeld)",
        "E-mail": f"plannen{n % 97}@voorbeeldgemeente.invalid",
        "Opmerkingen intern": f"intern-{n:05d}: niet publiceren",
    }
    if g["gemeentecode"] in DOORBRAAK and rng.random() < 0.35:
        plan["Doorbraaklocatie"] = DOORBRAAK[g["gemeentecode"]]
    if g["gemeentecode"] == ALMERE[0] and rng.random() < 0.4:
        plan["Doorbraaklocatie"] = rng.choice(ALMERE[1])
    return coherent(plan, int(peil[:4]))


def evolve(rng, plan: dict, peil: str = PEIL_NIEUW) -> dict:
    """The same plan half a year later: some slip, some advance, some grow (and stay coherent
    with the new peildatum: see coherent())."""
    new = dict(plan)
    r = rng.random()
    if r < 0.12 and new["Start bouw"]:
        delay = rng.choice([1, 1, 1, 2, 3])
        new["Start bouw"] += delay
        new["Oplevering vanaf"] = new["Oplevering vanaf"] + delay if new["Oplevering vanaf"] else None
        new["Oplevering tot en met"] = new["Oplevering tot en met"] + delay if new["Oplevering tot en met"] else None
    elif r < 0.15 and new["Start bouw"] and new["Start bouw"] > 2026:
        new["Start bouw"] -= 1
    r = rng.random()
    if r < 0.16 and new["Planstatus"] in STATUS_STEP[:-1]:
        new["Planstatus"] = STATUS_STEP[STATUS_STEP.index(new["Planstatus"]) + 1]
    elif r < 0.18 and new["Planstatus"] in STATUS_STEP[1:4]:
        new["Planstatus"] = STATUS_STEP[STATUS_STEP.index(new["Planstatus"]) - 1]
    if rng.random() < 0.08:
        factor = rng.choice([0.8, 0.9, 1.1, 1.25])
        total = max(1, int(new["Aantal woningen"] * factor))
        new["Aantal woningen"] = total
        for k in SEGMENT_HEADERS:
            new[k] = None
        new.update(split_segments(rng, total, new["Planstatus"]))
        new["Grondgebonden"] = min(new["Grondgebonden"], total)
        new["Meergezins"] = total - new["Grondgebonden"]
    return coherent(new, int(peil[:4]))


def messy_rows(rng, plans_by_gm, peildatum):
    """Rows the ingest must reject or warn about; each is commented in SAMPLE.md."""
    base = dict(next(iter(plans_by_gm.values())))
    bad = []

    def row(**kw):
        r = dict(base)
        r.update(kw)
        r["Peildatum"] = peildatum
        bad.append(r)

    row(**{"Plan-ID": "", "Plannaam": "Plan zonder ID"})
    row(**{"Plan-ID": "FOUT-0001", "Gemeentecode": "GM9999", "Plannaam": "Onbekende gemeente"})
    row(**{"Plan-ID": "FOUT-0002", "Aantal woningen": "-12", "Plannaam": "Negatief aantal"})
    row(**{"Plan-ID": "FOUT-0003", "Aantal woningen": "tien", "Plannaam": "Aantal in woorden"})
    # TWIJFEL-: doubtful but real plans, loaded with a warning (the price classes exceed bruto; a status
    # label the mapping does not know)
    row(
        **{
            "Plan-ID": "TWIJFEL-0004",
            "Aantal woningen": 10,
            "Sociale huur": 8,
            "Middenhuur": 8,
            "Dure huur": 0,
            "Betaalbare koop": 0,
            "Dure koop": 0,
            "Nader te bepalen": 0,
            "Grondgebonden": 0,
            "Meergezins": 10,
            "Plannaam": "Segmenten groter dan totaal",
        }
    )
    row(**{"Plan-ID": "FOUT-0005", "Start bouw": 1899, "Plannaam": "Startjaar 1899"})
    row(**{"Plan-ID": "TWIJFEL-0006", "Planstatus": "Ergens tussenin", "Plannaam": "Onbekende status"})
    row(**{"Plan-ID": "FOUT-0007", "Plannaam": "", "Omschrijving": "naam ontbreekt"})
    row(**{"Plan-ID": "FOUT-0008", "Aantal woningen": "12,5", "Plannaam": "Halve woning"})
    return bad


def build(seed: int = SEED, n: int = N_PLANS):
    rng = random.Random(seed)
    gemeenten = load_gemeenten()
    shapes = load_shapes()
    weights = [CITIES.get(g["gemeentecode"], 1 + (rng.random() < 0.25) * 2) for g in gemeenten]
    names_used: set = set()
    old = []
    for i in range(1, n + 1):
        g = rng.choices(gemeenten, weights=weights)[0]
        if i <= len(gemeenten):  # every municipality has at least one plan
            g = gemeenten[i - 1]
        old.append(make_plan(rng, i, g, shapes, names_used))
    new = []
    for plan in old:
        if rng.random() < 0.03:
            continue  # withdrawn between the two peildatums
        new.append(evolve(rng, plan))
    for i in range(n + 1, n + 1 + int(n * 0.05)):
        g = rng.choices(gemeenten, weights=weights)[0]
        new.append(make_plan(rng, i, g, shapes, names_used, PEIL_NIEUW))
    for rows, peil in ((old, PEIL_OUD), (new, PEIL_NIEUW)):
        for r in rows:
            r["Peildatum"] = peil
    # non-public plans: present in the source, never in the database
    for r in rng.sample(new, 12):
        r["Openbaar"] = "nee"
        r["Opmerkingen intern"] = "NIET-OPENBAAR: " + r["Opmerkingen intern"]
    for r in rng.sample(old, 10):
        r["Openbaar"] = "Nee"
    # codes without GM prefix and names spelled differently happen in real exports
    for r in rng.sample(new, 40):
        r["Gemeentecode"] = r["Gemeentecode"][2:]
    new_bad = messy_rows(rng, {r["Gemeentecode"]: r for r in new[:5]}, PEIL_NIEUW)
    new_bad.append(dict(new[7]))  # a duplicate Plan-ID: only the first occurrence is loaded
    new_bad[-1]["Plannaam"] = new_bad[-1]["Plannaam"] + " (dubbel)"
    old_bad = messy_rows(rng, {r["Gemeentecode"]: r for r in old[:5]}, PEIL_OUD)[:4]
    return old + old_bad, new + new_bad


def fmt_csv(value) -> str:
    """As Dutch Excel writes a cell: decimal comma, empty for None."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6f}".replace(".", ",")
    return str(value)


def write_csv(rows, path: Path):
    with open(path, "w", encoding="cp1252", newline="") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\r\n")
        w.writerow(HEADER)
        for r in rows:
            w.writerow([fmt_csv(r.get(h)) for h in HEADER])


def write_xlsx(rows, path: Path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Plannen"
    # a title block above the header, as supplier workbooks often have
    ws.append(["Export woningbouwplannen (VOORBEELDDATA, gegenereerd)"])
    ws.append([f"Peildatum {PEIL_OUD}"])
    ws.append(HEADER)
    for r in rows:
        cells = []
        for h in HEADER:
            v = r.get(h)
            if h == "Peildatum" and v:
                v = dt.datetime.fromisoformat(v)
            elif h == "Start bouw" and isinstance(v, int) and r["Plan-ID"].endswith("7"):
                v = dt.datetime(v, 3, 1)  # some suppliers give a date: reduced to its year
            cells.append("" if v is None else v)
        ws.append(cells)
    info = wb.create_sheet("Toelichting")
    info.append(["Dit bestand is gegenereerd voorbeeldmateriaal; geen echte plannen."])
    # openpyxl writes a fixed timestamp when asked, keeping the file deterministic
    wb.properties.created = wb.properties.modified = dt.datetime(2025, 4, 1)
    wb.save(path)
    normalise_zip(path)


def normalise_zip(path: Path):
    """Fixed entry timestamps, so `make sample` gives byte-identical files."""
    import zipfile

    with zipfile.ZipFile(path) as src:
        entries = [(info, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in entries:
            fixed = zipfile.ZipInfo(info.filename, date_time=(2025, 4, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                data = re.sub(rb"<dcterms:modified([^>]*)>[^<]*<", rb"<dcterms:modified\1>2025-04-01T00:00:00Z<", data)
            dst.writestr(fixed, data)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "data/sample")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("-n", type=int, default=N_PLANS)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    old, new = build(args.seed, args.n)
    write_xlsx(old, args.out / f"plannen_{PEIL_OUD}.xlsx")
    write_csv(new, args.out / f"plannen_{PEIL_NIEUW}.csv")
    print(f"{len(old)} rijen ({PEIL_OUD}, xlsx), {len(new)} rijen ({PEIL_NIEUW}, csv) in {args.out}")


if __name__ == "__main__":
    main()
