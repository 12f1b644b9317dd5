"""Pure validation rules: raw cell values -> clean values + problems.

No I/O here. Every rule returns a Problem naming the column and the offending
value, with a message in Dutch (the data stewards read it).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .gemeente_namen import DUBBELZINNIG, GemeenteNamen
from .mapping import Mapping, norm
from .schema import COORDINATE_DECIMALS, NIET_LOPEND, PRICE_CLASS_COLUMNS

FOUT = "fout"  # row is not loaded
WAARSCHUWING = "waarschuwing"  # row is loaded, value corrected or doubtful

YEAR_MIN, YEAR_MAX = 2000, 2060
MAX_HOMES = 1_000_000  # no plan is larger; bigger numbers are typos or overflow
SEGMENTS = PRICE_CLASS_COLUMNS
INT_COLUMNS = ("woningen", "sloop", *SEGMENTS, "grondgebonden", "meergezins")  # counts: whole and >= 0
# counts that break the total down: an unreadable one is left empty (reported), the plan is kept;
# woningen and sloop are the plan's figures (netto follows from them), so those reject the row
BREAKDOWN_COLUMNS = (*SEGMENTS, "grondgebonden", "meergezins")
YEAR_COLUMNS = ("start_bouw", "oplevering_start", "oplevering_eind")
TEXT_COLUMNS = (
    "naam",
    "gemeente",
    "provincie",
    "woondealregio",
    "tijdvak",
    "doorbraaklocatie",
    "nplv_gebied",
    "omschrijving",
)
MAX_TEXT = 10_000
MAX_LABEL = 200  # a status label is a few words
MAX_ID = 200  # a Plan-ID is a key in URLs and files, not a text


@dataclass(frozen=True)
class Problem:
    column: str  # our column name
    value: str | None
    severity: str
    code: str
    message: str


class Invalid(ValueError):
    """A value that cannot be read; carries the Dutch message."""


# Speed: a national build validates ~350,000 rows of ~30 cells; the `type(value) is str` fast
# paths below give the same result as the general rules after them, without their checks.


def is_blank(value) -> bool:
    if value is None:
        return True
    if type(value) is str:
        return not value.strip()
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def as_text(value) -> str | None:
    """A cell as display text (for messages and text columns)."""
    if type(value) is str:
        return value.strip() or None
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


_THOUSANDS = re.compile(r"^\d{1,3}([.\u00a0 ]\d{3})+$")


def parse_number(value) -> float:
    """Numbers as Dutch and English exports write them: 1,5 / 1.5 / 1.234 / 1.234,5."""
    if isinstance(value, bool):
        raise Invalid("geen getal")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise Invalid("geen eindig getal")
        try:
            return float(value)
        except OverflowError:  # an int beyond any float (a crafted XLSX cell)
            raise Invalid("geen eindig getal") from None
    text = str(value).strip().replace("\u00a0", " ")
    if text.isascii() and text.isdigit() and len(text) < 300:
        return float(text)  # the common case, without the separator rules below
    if _THOUSANDS.match(text):
        return float(re.sub(r"[. \u00a0]", "", text))
    if "," in text and "." in text:
        # the last separator is the decimal one
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        raise Invalid("geen getal") from None
    if not math.isfinite(number):
        raise Invalid("geen eindig getal")
    return number


def parse_whole(value) -> int:
    """A whole number, as Dutch and English exports write it."""
    number = parse_number(value)
    if not number.is_integer():
        raise Invalid("geen geheel getal")
    return int(number)


def parse_count(value) -> int:
    """A non-negative whole number of homes."""
    if type(value) is str and value.isdigit() and value.isascii() and len(value) < 300:
        number = int(value)  # the common case: plain digits (parse_number reads them the same)
    else:
        number = parse_whole(value)
    if number < 0:
        raise Invalid("negatief aantal")
    if number > MAX_HOMES:
        raise Invalid(f"onwaarschijnlijk groot aantal (meer dan {MAX_HOMES:,})".replace(",", "."))
    return int(number)


_DATE_PATTERNS = (
    # ISO, optionally with a time of day (JSON and XLSX write 2025-10-01T00:00:00)
    (
        re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"),
        ("y", "m", "d"),
    ),
    # Dutch: dd-mm-jjjj (also with dots)
    (re.compile(r"^(\d{1,2})[-.](\d{1,2})[-.](\d{4})$"), ("d", "m", "y")),
)
# 12/01/2025 is 12 January to a Dutch reader and 1 December to an American one: never guessed
_SLASHED = re.compile(r"^\d{1,4}/\d{1,2}/\d{1,4}$")
MONTHS = {
    m: i
    for i, m in enumerate(
        (
            "januari",
            "februari",
            "maart",
            "april",
            "mei",
            "juni",
            "juli",
            "augustus",
            "september",
            "oktober",
            "november",
            "december",
        ),
        start=1,
    )
}
_SPELLED = re.compile(r"^(?:(\d{1,2})\s+)?([a-z]+)\s+(\d{4})$")


def parse_date(value) -> dt.date:
    """ISO (JJJJ-MM-DD) or Dutch (DD-MM-JJJJ); anything else, trailing text included, is Invalid."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for pattern, order in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            parts = dict(zip(order, map(int, m.groups())))
            try:
                return dt.date(parts["y"], parts["m"], parts["d"])
            except ValueError:
                raise Invalid("ongeldige datum") from None
    if _SLASHED.match(text):
        raise Invalid("dubbelzinnige datum (dag en maand zijn niet te onderscheiden); gebruik JJJJ-MM-DD of DD-MM-JJJJ")
    raise Invalid("geen datum (verwacht JJJJ-MM-DD of DD-MM-JJJJ)")


EARLIEST_PEILDATUM = dt.date(2000, 1, 1)  # before the monitors existed


def check_peildatum(day: dt.date) -> dt.date:
    """A peildatum that can be true: from 2000 up to a year from now (a typo like 2205 is not)."""
    latest = dt.date.today() + dt.timedelta(days=366)
    if not EARLIEST_PEILDATUM <= day <= latest:
        raise Invalid(
            f"onwaarschijnlijke peildatum {day.isoformat()} (verwacht {EARLIEST_PEILDATUM.year} tot {latest})"
        )
    return day


def parse_peilmoment(value, seasons: dict[str, str] | None = None) -> dt.date:
    """A release's peilmoment: a date as parse_date reads it, a season label ('Najaar 2025', dates
    from the mapping's `peilmoment:`) or a Dutch month ('1 oktober 2025', 'oktober 2025')."""
    try:
        return parse_date(value)
    except Invalid as first:
        text = " ".join(str(value).strip().casefold().split())
        m = _SPELLED.match(text)
        if not m:
            raise first
        day, word, year = m.groups()
        if seasons and word in seasons and day is None:
            month, _, dom = str(seasons[word]).partition("-")
            return dt.date(int(year), int(month), int(dom))
        if word in MONTHS:
            try:
                return dt.date(int(year), MONTHS[word], int(day or 1))
            except ValueError:
                raise Invalid("ongeldige datum") from None
        raise Invalid(
            f"peilmoment niet herkend (bekend: datums en {', '.join(seasons or {}) or 'geen seizoenen'} "
            "gevolgd door een jaar)"
        ) from None


_YEAR_NUMBER = re.compile(r"[\d.,]+")


def parse_year(value) -> int:
    """A year; a date is reduced to its year."""
    if isinstance(value, (dt.date, dt.datetime)):
        year = value.year
    elif type(value) is str and value.isdigit() and value.isascii() and len(value) < 300:
        year = int(value)  # the common case: plain digits (parse_number reads them the same)
    else:
        text = str(value).strip() if isinstance(value, str) else value
        if isinstance(text, str) and not _YEAR_NUMBER.fullmatch(text):
            year = parse_date(text).year
        else:
            number = parse_number(text)
            if not number.is_integer():
                raise Invalid("geen jaartal")
            year = int(number)
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise Invalid(f"jaar buiten {YEAR_MIN}-{YEAR_MAX}")
    return year


_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def clean_id(value: str) -> str:
    """A Plan-ID as published: NFC, without zero-width characters, single spaces (NBSP included)."""
    if value.isascii() and " " not in value and value.isprintable():
        return value  # the common case: nothing to normalise (as_text has stripped it)
    return " ".join(unicodedata.normalize("NFC", value).translate(_ZERO_WIDTH).split())


# every dash and hyphen a keyboard, a word processor or a full-width font makes: one '-' in an identity
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-")


def plan_key(value: str) -> str:
    """The identity of a Plan-ID: case, Unicode form and compatibility form (full-width letters), dashes,
    NBSP and zero-width characters do not matter."""
    text = clean_id(value)
    if text.isascii():
        return text.casefold()
    return unicodedata.normalize("NFKC", text.translate(_DASHES)).translate(_DASHES).casefold()


def normalise_gemeentecode(value) -> str:
    return _gemeentecode(as_text(value) or "")


_SPACES = re.compile(r"\s+")
_GEMEENTECODE = re.compile(r"(?:GM)?(\d{1,4})")


@lru_cache(maxsize=4096)  # an export repeats a few hundred codes on every row (an Invalid is not cached)
def _gemeentecode(text: str) -> str:
    m = _GEMEENTECODE.fullmatch(_SPACES.sub("", text).upper())
    if not m:
        raise Invalid("geen gemeentecode (verwacht GM gevolgd door 4 cijfers)")
    return f"GM{int(m.group(1)):04d}"


def openbaar_flag(value, mapping: Mapping) -> bool | None:
    """True/False for a recognised flag, None when blank or unknown."""
    key = norm(as_text(value))
    if key in mapping.openbaar_ja:
        return True
    if key in mapping.openbaar_nee:
        return False
    return None


@dataclass(frozen=True)
class Gemeente:
    code: str
    naam: str
    provincie: str
    latitude: float | None = None
    longitude: float | None = None


def validate_plan(
    raw: dict, mapping: Mapping, gemeenten: dict[str, Gemeente], names: GemeenteNamen
) -> tuple[dict, list[Problem]]:
    """Validate one public row. Returns clean values and problems (errors reject the row)."""
    out: dict = {}
    problems: list[Problem] = []

    def problem(column, value, severity, code, message):
        problems.append(Problem(column, as_text(value), severity, code, message))

    # identifiers and required text
    plan_id = as_text(raw.get("plan_id"))
    if plan_id is None:
        problem("plan_id", None, FOUT, "verplicht", "Plan-ID ontbreekt")
    elif len(plan_id) > MAX_ID:
        problem(
            "plan_id", plan_id[:80] + "…", FOUT, "te_lang", f"Plan-ID is langer dan {MAX_ID} tekens; rij niet geladen"
        )
        plan_id = None
    out["plan_id"] = plan_id
    for column in TEXT_COLUMNS:
        text = as_text(raw.get(column))
        if text is not None and len(text) > MAX_TEXT:
            problem(column, text[:80] + "…", WAARSCHUWING, "te_lang", f"tekst ingekort tot {MAX_TEXT} tekens")
            text = text[:MAX_TEXT]
        out[column] = text
    if out["naam"] is None:
        problem("naam", None, FOUT, "verplicht", "Plannaam ontbreekt")

    # municipality: the reference list wins
    gemeente = None
    code_raw = raw.get("gemeentecode")
    if is_blank(code_raw):
        gemeente, why = names.resolve(out["gemeente"]) if out["gemeente"] else (None, None)
        if gemeente is not None:
            if "gemeentecode" in mapping.required:
                problem(
                    "gemeentecode",
                    None,
                    WAARSCHUWING,
                    "code_uit_naam",
                    f"gemeentecode ontbreekt; afgeleid uit de gemeentenaam ({gemeente.code})",
                )
        elif "gemeentecode" in mapping.required or out["gemeente"] is None:
            severity = FOUT if "gemeentecode" in mapping.required else WAARSCHUWING
            problem(
                "gemeentecode",
                out["gemeente"],
                severity,
                "verplicht" if severity == FOUT else "gemeente_ontbreekt",
                "gemeentecode ontbreekt"
                + (f" en gemeentenaam niet herkend ({why})" if out["gemeente"] else "")
                + ("" if severity == FOUT else "; plan zonder gemeente geladen"),
            )
        else:
            # a name we cannot place is never guessed: the plan is loaded without a municipality
            alts = names.candidates(out["gemeente"]) if why == DUBBELZINNIG else []
            problem(
                "gemeente",
                out["gemeente"],
                WAARSCHUWING,
                f"gemeente_{why}",
                (
                    f"gemeentenaam past bij meer dan één gemeente ({', '.join(alts)})"
                    if alts
                    else "gemeentenaam niet gevonden in de CBS-gemeentelijst"
                )
                + "; plan zonder gemeente geladen",
            )
    else:
        try:
            code = normalise_gemeentecode(code_raw)
            gemeente = gemeenten.get(code)
            if gemeente is None:
                problem(
                    "gemeentecode",
                    code_raw,
                    FOUT,
                    "onbekende_gemeente",
                    f"onbekende gemeentecode {code} (niet in de gemeentelijst)",
                )
        except Invalid as exc:
            problem("gemeentecode", code_raw, FOUT, "ongeldige_gemeentecode", str(exc))
    if gemeente:
        same = names.resolve(out["gemeente"])[0] if out["gemeente"] else None
        if out["gemeente"] and (same is None or same.code != gemeente.code):
            problem(
                "gemeente",
                out["gemeente"],
                WAARSCHUWING,
                "naam_wijkt_af",
                f"gemeentenaam wijkt af van de gemeentelijst; {gemeente.naam} gebruikt",
            )
        if out["provincie"] and norm(out["provincie"]) != norm(gemeente.provincie):
            problem(
                "provincie",
                out["provincie"],
                WAARSCHUWING,
                "provincie_wijkt_af",
                f"provincie wijkt af van de gemeentelijst; {gemeente.provincie} gebruikt",
            )
        out["gemeentecode"] = gemeente.code
        out["gemeente"] = gemeente.naam
        out["provincie"] = gemeente.provincie
    else:
        out["gemeentecode"] = None
        out["gemeente"] = None if out["gemeente"] is None or "gemeentecode" in mapping.required else out["gemeente"]
        # a province we cannot check against a municipality is kept only when it is a province's name
        out["provincie"] = names.province(out["provincie"])

    # counts
    for column in INT_COLUMNS:
        value = raw.get(column)
        if is_blank(value):
            out[column] = None
            if column == "woningen" and column in mapping.required:
                problem(column, None, FOUT, "verplicht", "aantal woningen ontbreekt")
            continue
        try:
            out[column] = parse_count(value)
        except Invalid as exc:
            out[column] = None
            if column in BREAKDOWN_COLUMNS:
                problem(
                    column,
                    value,
                    WAARSCHUWING,
                    "ongeldig_aantal",
                    f"{exc}; verwacht een geheel getal ≥ 0; leeg gelaten",
                )
            else:
                problem(column, value, FOUT, "ongeldig_aantal", f"{exc}; verwacht een geheel getal ≥ 0")
    # netto (bruto minus demolition): negative for restructuring, so a whole number of either sign
    value = raw.get("netto")
    out["netto"] = None
    if not is_blank(value):
        try:
            out["netto"] = parse_whole(value)
            if abs(out["netto"]) > MAX_HOMES:
                raise Invalid(f"onwaarschijnlijk groot aantal (meer dan {MAX_HOMES:,})".replace(",", "."))
        except Invalid as exc:
            out["netto"] = None
            problem("netto", value, FOUT, "ongeldig_aantal", f"{exc}; verwacht een geheel getal")
    total = out.get("woningen")
    if (
        total is None
        and out["netto"] is None
        and "woningen" not in mapping.required
        and is_blank(raw.get("woningen"))
        and is_blank(raw.get("netto"))
    ):
        problem("woningen", None, FOUT, "verplicht", "aantal woningen ontbreekt (bruto en netto plancapaciteit)")
    if total is not None and out["netto"] is not None and out.get("sloop") is None and out["netto"] > total:
        problem(
            "netto",
            out["netto"],
            WAARSCHUWING,
            "netto_groter_dan_bruto",
            f"netto ({out['netto']}) is groter dan bruto ({total}); sloop niet afgeleid",
        )
    segments = [out[s] for s in SEGMENTS if out.get(s) is not None]
    if total is not None and segments and sum(segments) > total:
        # the price classes are a breakdown of bruto; an excess is doubtful, not a reason to lose the plan
        problem(
            "woningen",
            total,
            WAARSCHUWING,
            "segmenten_te_groot",
            f"som van de prijsklassen ({sum(segments)}) is groter dan het bruto aantal woningen ({total})",
        )
    for a, b in (("grondgebonden", "meergezins"),):
        if total is not None and out.get(a) is not None and out.get(b) is not None and out[a] + out[b] > total:
            problem(
                a,
                out[a] + out[b],
                WAARSCHUWING,
                "woningtype_te_groot",
                "grondgebonden + meergezins is groter dan het aantal woningen",
            )
    if (
        total is not None
        and out["netto"] is not None
        and out.get("sloop") is not None
        and total - out["sloop"] != out["netto"]
    ):
        problem(
            "netto",
            out["netto"],
            WAARSCHUWING,
            "netto_klopt_niet",
            f"netto ({out['netto']}) is niet bruto ({total}) min sloop ({out['sloop']}); netto uit de bron gebruikt",
        )
    if total is None and out["netto"] is not None and "woningen" not in mapping.required:
        problem(
            "woningen", None, WAARSCHUWING, "bruto_ontbreekt", "bruto plancapaciteit ontbreekt; alleen netto bekend"
        )

    # years
    for column in YEAR_COLUMNS:
        value = raw.get(column)
        if is_blank(value):
            out[column] = None
            continue
        try:
            out[column] = parse_year(value)
        except Invalid as exc:
            out[column] = None
            problem(column, value, FOUT, "ongeldig_jaar", str(exc))
    if out.get("oplevering_start") and out.get("oplevering_eind") and out["oplevering_start"] > out["oplevering_eind"]:
        problem(
            "oplevering_eind",
            out["oplevering_eind"],
            WAARSCHUWING,
            "oplevering_omgekeerd",
            "oplevering tot en met ligt vóór oplevering vanaf",
        )

    # status -> planstatus + hardheid
    label = as_text(raw.get("planstatus_bron"))
    if label is not None and len(label) > MAX_LABEL:
        problem(
            "planstatus_bron", label[:80] + "…", WAARSCHUWING, "te_lang", f"planstatus ingekort tot {MAX_LABEL} tekens"
        )
        label = label[:MAX_LABEL]
    out["planstatus_bron"] = label
    if label is None:
        out["planstatus"], out["hardheid"] = "onbekend", "onbekend"
    elif norm(label) in mapping.planstatus:
        out["planstatus"], out["hardheid"] = mapping.planstatus[norm(label)]
    else:
        # never drop a real plan for a label we do not know: published as onbekend, the label reported
        out["planstatus"] = out["hardheid"] = "onbekend"
        problem(
            "planstatus_bron",
            label,
            WAARSCHUWING,
            "onbekende_status",
            "planstatus niet in de mapping; gepubliceerd als onbekend (bekend zijn: "
            + ", ".join(sorted({v[0] for v in mapping.planstatus.values()}))
            + ")",
        )

    # location class
    loc = as_text(raw.get("locatie"))
    if loc is None:
        out["locatie"] = "onbekend"
    elif norm(loc) in mapping.locatie:
        out["locatie"] = mapping.locatie[norm(loc)]
    else:
        out["locatie"] = "onbekend"
        problem(
            "locatie",
            loc,
            WAARSCHUWING,
            "onbekende_locatie",
            "locatie niet herkend (binnenstedelijk/buitenstedelijk); onbekend gebruikt",
        )

    # point from the export, if any (WGS84)
    out["latitude"] = out["longitude"] = None
    lat, lon = raw.get("latitude"), raw.get("longitude")
    if not is_blank(lat) or not is_blank(lon):
        try:
            la, lo = parse_number(lat), parse_number(lon)
            if not (50.6 <= la <= 53.7 and 3.2 <= lo <= 7.3):
                raise Invalid("punt ligt buiten Nederland")
            out["latitude"], out["longitude"] = round(la, COORDINATE_DECIMALS), round(lo, COORDINATE_DECIMALS)
        except Invalid as exc:
            problem(
                "latitude",
                f"{as_text(lat)} {as_text(lon)}",
                WAARSCHUWING,
                "ongeldig_punt",
                f"{exc}; punt van de gemeente gebruikt",
            )

    # peildatum on the row (optional)
    value = raw.get("peildatum")
    out["peildatum"] = None
    if not is_blank(value):
        try:
            out["peildatum"] = check_peildatum(parse_peilmoment(value, mapping.raw.get("peilmoment"))).isoformat()
        except Invalid as exc:
            problem("peildatum", value, WAARSCHUWING, "ongeldige_peildatum", f"{exc}; peildatum van de bron gebruikt")
    return out, problems


def derive(out: dict, netto_from_sloop: bool = True) -> dict:
    """Columns computed from validated values. `netto_from_sloop`: the source has no netto column,
    so netto is bruto minus sloop (no Sloop given: no demolition reported); a source that has one
    and leaves it empty keeps netto empty."""
    if netto_from_sloop and out.get("netto") is None and out.get("woningen") is not None:
        out["netto"] = out["woningen"] - (out.get("sloop") or 0)
    elif (
        out.get("sloop") is None
        and out.get("woningen") is not None
        and out.get("netto") is not None
        and out["woningen"] >= out["netto"]
    ):
        out["sloop"] = out["woningen"] - out["netto"]
    out["lopend"] = int(out.get("planstatus") not in NIET_LOPEND)
    parts = [out.get(c) for c in ("sociale_huur", "middenhuur", "betaalbare_koop")]
    out["betaalbaar"] = sum(p for p in parts if p is not None) if any(p is not None for p in parts) else None
    if not out.get("tijdvak") and out.get("start_bouw"):
        year = out["start_bouw"]
        out["tijdvak"] = "tot 2025" if year < 2025 else "2025-2029" if year < 2030 else "2030 en later"
    return out
