"""Content negotiation: which of the media types a page offers the request's ``Accept`` header
prefers (RFC 9110 12.5.1: quality values, the most specific range that matches a type decides
its quality; ties go to the order the server offers them in), and the file extensions that
name a type outright (``/id/state/RUS.ttl``, ``/api/exercises.csv``)."""
from __future__ import annotations

#: a file extension -> the media type it asks for
EXTENSIONS = {
    "html": "text/html",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}


def _ranges(accept: str) -> list[tuple[str, str, float]]:
    out = []
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if "/" not in media:
            continue
        main, sub = media.split("/", 1)
        q = 1.0
        for f in fields[1:]:
            key, _, value = f.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        out.append((main, sub, q))
    return out


def _quality(offer: str, ranges: list[tuple[str, str, float]]) -> float:
    main, sub = offer.split("/", 1)
    best, specificity = 0.0, -1
    for rmain, rsub, q in ranges:
        if (rmain, rsub) == (main, sub):
            level = 2
        elif rmain == main and rsub == "*":
            level = 1
        elif (rmain, rsub) == ("*", "*"):
            level = 0
        else:
            continue
        if level > specificity:
            best, specificity = q, level
    return best


def choose(accept: str | None, offers: list[str]) -> str | None:
    """The offered type the client prefers; the first offer where it states no preference;
    None where it accepts none of them (406)."""
    if not accept or not accept.strip():
        return offers[0]
    ranges = _ranges(accept)
    if not ranges:
        return offers[0]
    scored = [(_quality(o, ranges), -i, o) for i, o in enumerate(offers)]
    q, _i, offer = max(scored)
    return offer if q > 0 else None
