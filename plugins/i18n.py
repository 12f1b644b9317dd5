"""Dutch first, English alongside: one set of templates, strings in a message catalogue.

The language of a request is, in order: the URL prefix (/en/... or /nl/...), the `taal`
cookie (set by visiting a prefixed URL), then Accept-Language, then Dutch. The prefix is
stripped before Datasette routes the request, so /en/<any page> works for our pages and
for Datasette's own. Templates call _("Dutch text"); locale/en/LC_MESSAGES/messages.po
holds the English.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from pathlib import Path
from urllib.parse import quote

from babel.messages.pofile import read_po
from datasette import hookimpl

from ingest.datapackage import split_language
from ingest.schema import PRICE_CLASS_COLUMNS, SEGMENT_COLUMNS
from portal.http_headers import add_vary

LANGS = ("nl", "en")
DEFAULT = "nl"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
current_lang: ContextVar[str] = ContextVar("current_lang", default=DEFAULT)
current_prefix: ContextVar[str] = ContextVar("current_prefix", default="")
current_path: ContextVar[str] = ContextVar("current_path", default="/")
current_query: ContextVar[str] = ContextVar("current_query", default="")


def load_catalogues() -> dict[str, dict[str, str]]:
    catalogues = {}
    for lang in LANGS:
        po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
        if po.exists():
            with po.open("rb") as f:
                catalogue = read_po(f, locale=lang)
            catalogues[lang] = {m.id: m.string for m in catalogue if m.id and m.string and not m.fuzzy}
    return catalogues


CATALOGUES = load_catalogues()


def gettext(message: str) -> str:
    return CATALOGUES.get(current_lang.get(), {}).get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


# The browser's first listed language decides: English when it is English, else Dutch. Deliberately
# no q-value arithmetic: a shared cache (deploy/nginx.conf.template, `map $http_accept_language`)
# must reach the same answer from the header with one regular expression, or a cached page in one
# language would be served to a visitor who asked for the other.
# ASCII space and tab only: Python's \s would also take a no-break space, PCRE's (nginx) does not. A
# q-value must be one (0 < q <= 1, up to three decimals): 'en;q=0' refuses English, 'en;q=1.2.3' is no
# header at all, and both get the default language.
ACCEPT_EN = re.compile(
    r"^[ \t]*en(?:[-_][a-z0-9]{1,8})*[ \t]*"
    r"(?:;[ \t]*q=(?:1(?:\.0{0,3})?|0\.(?:[1-9][0-9]{0,2}|0[1-9][0-9]?|00[1-9]))[ \t]*)?(?:,|\Z)",
    re.IGNORECASE,
)


def accept_language(header: str) -> str | None:
    """'en' when the browser lists English first, else None (Dutch); never raises on a sloppy header."""
    return "en" if ACCEPT_EN.match(header or "") else None


def choose(path: str, cookie: str, accept: str) -> tuple[str, str, str]:
    """(language, path without prefix, prefix) for a request."""
    for lang in LANGS:
        prefix = f"/{lang}"
        if path == prefix or path.startswith(prefix + "/"):
            return lang, path[len(prefix) :] or "/", prefix
    lang = cookie_language(cookie)
    if lang:
        return lang, path, ""
    return accept_language(accept) or DEFAULT, path, ""


def cookie_language(cookie: str) -> str | None:
    """The first taal cookie's value when it is exactly nl or en, as nginx's $cookie_taal reads it."""
    for part in cookie.split(";"):
        name, _, value = part.strip(" \t").partition("=")
        if name == "taal":
            return value if value in LANGS else None
    return None


def lang_url(path: str, lang: str, query: str = "") -> str:
    """The same page, with the same query string, in another language."""
    return (f"/{lang}{path}" if path != "/" else f"/{lang}/") + (f"?{query}" if query else "")


def link(path: str) -> str:
    """A link that keeps the language prefix the visitor came in with."""
    return current_prefix.get() + path


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def with_language(scope, receive, send):
            if scope.get("type") != "http":
                return await app(scope, receive, send)
            # a header sent twice reads as nginx reads it (its cache key): the values joined, first first
            headers: dict[str, str] = {}
            for k, v in scope.get("headers", []):
                name = k.decode("latin-1").lower()
                value = v.decode("latin-1")
                headers[name] = f"{headers[name]}, {value}" if name in headers else value
            lang, path, prefix = choose(
                scope.get("path", "/"), headers.get("cookie", ""), headers.get("accept-language", "")
            )
            current_lang.set(lang)
            current_prefix.set(prefix)
            current_path.set(path)
            current_query.set(scope.get("query_string", b"").decode("latin-1"))
            if prefix:
                # the raw path as it came, minus the prefix: the decoded one may hold any character
                raw = scope.get("raw_path") or quote(scope.get("path", "/")).encode("ascii")
                scope = dict(scope, path=path, raw_path=raw[len(prefix) :] or b"/")

            async def send_with_headers(message):
                if message["type"] == "http.response.start":
                    headers = list(message.get("headers", []))
                    extra = [(b"content-language", lang.encode())]
                    if prefix:
                        # a response that sets a cookie is this visitor's: never in a shared cache
                        headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                        extra += [
                            (b"set-cookie", f"taal={lang}; Path=/; Max-Age=31536000; SameSite=Lax".encode()),
                            (b"cache-control", b"private, no-store"),
                        ]
                    headers = [*headers, *extra]
                    if not prefix:
                        headers = add_vary(headers, "Accept-Language", "Cookie")  # the language came from these
                    message = dict(message, headers=headers)
                await send(message)

            await app(scope, receive, send_with_headers)

        return with_language

    return wrap


# Data values shown on public pages (statuses, hard/soft, location, kinds of change):
# the database keeps the Dutch values, pages show `{{ value|label }}` in the page language.
def N_(message: str) -> str:
    """Marks a string for extraction (scripts/update_messages.py) without translating it here."""
    return message


LABELS = {
    v: v
    for v in (
        N_("idee/visie"),
        N_("in voorbereiding"),
        N_("ontwerp"),
        N_("vastgesteld"),
        N_("onherroepelijk"),
        N_("in aanbouw"),
        N_("opgeleverd"),
        N_("vervallen"),
        N_("onbekend"),
        N_("hard"),
        N_("zacht"),
        N_("binnenstedelijk"),
        N_("buitenstedelijk"),
        N_("nieuw"),
        N_("ingetrokken"),
        N_("status vooruit"),
        N_("status terug"),
        N_("status gewijzigd"),
        N_("start bouw later"),
        N_("start bouw eerder"),
        N_("start bouw gewijzigd"),
        N_("meer woningen"),
        N_("minder woningen"),
        N_("segment verschuiving"),
        N_("sociale huur"),
        N_("middenhuur"),
        N_("dure huur"),
        N_("betaalbare koop"),
        N_("dure koop"),
        N_("segment onbekend"),
        N_("planstatus"),
        N_("woningen"),
        N_("fout"),
        N_("waarschuwing"),
        N_("info"),
    )
}


# The page label of every price-class column, in the order of ingest/schema.py (which says which
# columns there are): the charts and the map's filter list them from here.
PRICE_CLASS_LABELS = {
    "sociale_huur": N_("Sociale huur"),
    "middenhuur": N_("Middenhuur"),
    "dure_huur": N_("Dure huur"),
    "betaalbare_koop": N_("Betaalbare koop"),
    "dure_koop": N_("Dure koop"),
    "huur_onbekend": N_("Huur, prijs onbekend"),
    "koop_onbekend": N_("Koop, prijs onbekend"),
    "segment_onbekend": N_("Nog niet bekend"),
}
if tuple(PRICE_CLASS_LABELS) != PRICE_CLASS_COLUMNS:  # a class added to the schema needs its label here
    raise RuntimeError(f"PRICE_CLASS_LABELS {tuple(PRICE_CLASS_LABELS)} != schema {PRICE_CLASS_COLUMNS}")


def price_classes(known_only: bool = False) -> list[tuple[str, str]]:
    """(column, label in the page language) per price class; known_only: the five of known price."""
    return [(c, gettext(PRICE_CLASS_LABELS[c])) for c in (SEGMENT_COLUMNS if known_only else PRICE_CLASS_COLUMNS)]


def label(value):
    """A known data value in the page language; other values unchanged."""
    if value is None:
        return "–"
    key = str(value).replace("_", " ")
    return gettext(key) if key in LABELS else value


def number(value, decimals: int = 0) -> str:
    """12.345 in Dutch, 12,345 in English."""
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    if current_lang.get() == "nl":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def percent(value, decimals: int = 0) -> str:
    return "–" if value is None else number(value * 100, decimals) + "%"


def in_language(text) -> str:
    """The page language's half of a bilingual text from metadata.yml ('Nederlands / English', or
    <p lang="nl">..</p><p lang="en">..</p>), as plain text; the whole text when it has no halves."""
    nl, en = split_language(str(text or ""))
    return (en if current_lang.get() == "en" else nl) or nl or en


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["nummer"] = number
    env.filters["label"] = label
    env.filters["procent"] = percent
    env.filters["taal"] = in_language
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.globals["link"] = link
    env.globals["lang_url"] = lang_url
    env.globals["prijsklassen"] = price_classes
    env.globals["segment_kolommen"] = SEGMENT_COLUMNS


@hookimpl
def extra_template_vars():
    lang = current_lang.get()
    other = "en" if lang == "nl" else "nl"
    return {
        "lang": lang,
        "other_lang": other,
        "current_path": current_path.get(),
        "lang_switch_url": lang_url(current_path.get(), other, current_query.get()),
    }
