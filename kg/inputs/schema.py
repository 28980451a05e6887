"""The fact-file format as data: which keys each reference entity and each fact may have,
what each key holds, and which ontology term it becomes.

The reader (``kg.inputs.facts``) checks files against these tables and the builder (``kg.build.triples``)
turns them into triples with the same tables, so the format is declared once.

Value kinds:
- ``ref:KIND|KIND``: the id of a reference entity of one of those kinds
- ``fact``: the id of a fact (in the same article, or any article's fact as TYPE/ID);
  ``fact:TYPE``: a fact of that type only
- ``concept:SCHEME``: the id of a concept in one of our SKOS schemes
- ``date``: ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` (the precision is kept)
- ``when``: a ``date``, or a mapping of ``WHEN_FIELDS`` for what the article gives less or more
  precisely (a day with no year, bounds, the words it uses, how a relative date was resolved)
- ``amount``: a whole number (exact), or a mapping of ``AMOUNT_FIELDS`` (bound, range, unit,
  currency, share of a total...)
- ``number``: a whole or decimal number
- ``claims``: a list of ``CLAIM_FIELDS`` mappings; ``roles``: a mapping of role concept to
  actors; ``links``: a mapping of link concept to facts (see docs/claims-model.md)
- ``duration``: an ISO 8601 duration such as ``P3D``
- ``int``, ``bool``; ``id``: an id (letters, digits, '.', '_' and '-')
- ``str``: one line of text in English (a language-tagged literal); ``prose``: free text in
  English that may span lines; ``plain``: a code or file name (``xsd:string``); ``language``:
  a language tag such as ``en`` (``xsd:string``); ``url``: an absolute http(s) URL
  (``xsd:anyURI``)

Each kind is checked by its checker in ``kg.inputs.values`` (no control characters in any text, a
line break only in ``prose``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import URIRef

from rdflib.namespace import RDFS, SKOS

from ..namespaces import MC, SCHEMA

ACTOR = "state|force|person|organisation|group"
#: anything a stance or a statement may be about
ANY_ENTITY = ACTOR + "|place|weapon|vessel|conflict|position"


@dataclass(frozen=True)
class Field:
    key: str
    kind: str
    prop: URIRef | None
    many: bool = False
    required: bool = False
    help: str = ""


@dataclass(frozen=True)
class EntityKind:
    """A kind of reference entity, listed in ``data/reference/*.yaml`` under its plural."""

    name: str
    plural: str
    cls: URIRef
    fields: tuple[Field, ...]
    #: value of ``kind:`` -> a more specific class
    subclasses: dict[str, URIRef] = field(default_factory=dict)


@dataclass(frozen=True)
class FactType:
    """A kind of fact an article reports, written ``type: NAME`` in a fact file."""

    name: str
    cls: URIRef
    fields: tuple[Field, ...]
    #: value of ``kind:`` -> a more specific class
    subclasses: dict[str, URIRef] = field(default_factory=dict)
    help: str = ""


# Keys every reference entity has.
ENTITY_COMMON = (
    Field("id", "id", None, required=True),
    Field("label", "str", None, required=True),
    Field("aliases", "str", None, many=True),
    Field("description", "prose", None),
    Field("wikidata", "wikidata", MC.wikidataEntity),
)

ENTITY_KINDS: dict[str, EntityKind] = {
    k.name: k
    for k in (
        EntityKind(
            "state",
            "states",
            MC.State,
            (
                Field("cow", "int", MC.cowCode, help="Correlates of War state number (countrycode's cown)"),
                Field("gw", "int", MC.gwCode, help="Gleditsch-Ward state number (countrycode's gwn)"),
            ),
        ),
        EntityKind(
            "force",
            "forces",
            MC.MilitaryForce,
            (
                Field("kind", "subclass", None, required=True),
                Field("state", "ref:state", MC.belongsTo,
                      help="the state whose force it is; a unit with part_of takes its parent's"),
                Field("part_of", "ref:force", MC.partOf),
            ),
            subclasses={
                "armed-forces": MC.ArmedForces,
                "army": MC.Army,
                "navy": MC.Navy,
                "air-force": MC.AirForce,
                "revolutionary-guard": MC.RevolutionaryGuard,
                "police": MC.PoliceForce,
                "gendarmerie": MC.PoliceForce,
                "fleet": MC.Fleet,
                "unit": MC.MilitaryUnit,
            },
        ),
        EntityKind(
            "person",
            "people",
            MC.Person,
            (Field("unnamed", "bool", MC.unnamed),),
        ),
        EntityKind(
            "position",
            "positions",
            MC.Position,
            (
                Field("role", "concept:role", MC.role, required=True),
                Field("state", "ref:state", MC.positionOf, help="the state of the post; absent where the article names none"),
                Field("within", "ref:force|organisation", MC.positionWithin),
            ),
        ),
        EntityKind(
            "place",
            "places",
            MC.Place,
            (
                Field("kind", "subclass", None, required=True),
                Field("borders", "ref:state", MC.borders, many=True),
                Field("state", "ref:state", MC.inState),
            ),
            subclasses={
                "body-of-water": MC.BodyOfWater,
                "site": MC.Site,
                "region": MC.Region,
                "city": MC.City,
            },
        ),
        EntityKind(
            "weapon",
            "weapons",
            MC.WeaponSystem,
            (
                Field("category", "concept:weapon-category", MC.weaponCategory, required=True),
                Field("launched_from", "ref:weapon", MC.launchPlatform),
            ),
        ),
        EntityKind(
            "vessel",
            "vessels",
            MC.Vessel,
            (
                Field("operator", "ref:force", MC.operator, help="the military force operating it, if any"),
                Field("flag", "ref:state", MC.flagState, help="the state whose flag it flies"),
                Field("class", "ref:weapon", MC.vesselClass, help="its class or type (a weapon system entry)"),
            ),
        ),
        EntityKind(
            "conflict",
            "conflicts",
            MC.ArmedConflict,
            (Field("parties", "ref:state", MC.conflictParty, many=True),),
        ),
        EntityKind(
            "organisation",
            "organisations",
            MC.Organisation,
            (
                Field("kind", "subclass", None, required=True),
                Field("state", "ref:state", MC.basedIn),
            ),
            subclasses={
                "news-agency": MC.NewsOrganisation,
                "news-outlet": MC.NewsOrganisation,
                "government-body": MC.Organisation,
                "alliance": MC.Organisation,
                "company": MC.Organisation,
                "research-institute": MC.Organisation,
                "international-organisation": MC.Organisation,
                "armed-group": MC.Organisation,
            },
        ),
        EntityKind(
            "group",
            "groups",
            MC.Group,
            (Field("state", "ref:state", MC.basedIn),),
        ),
    )
}

# An amount: how many, how much, how sure (docs/claims-model.md, "Amounts").
AMOUNT_FIELDS = (
    Field("id", "id", None, help="a local id, for 'within' in the same list"),
    Field("value", "number", MC.value),
    Field("bound", "concept:bound", MC.bound, help="exact (default for a value), more-than, about, up-to..."),
    Field("min", "number", MC.minValue),
    Field("max", "number", MC.maxValue),
    Field("vague", "concept:vague-amount", MC.vague, help="a size with no number: several, dozens..."),
    Field("unit", "concept:unit", MC.unit, help="what is counted"),
    Field("currency", "currency", MC.currency, help="an ISO 4217 code, for a money value"),
    Field("of", "number", MC.ofTotal, help="the total it is a share of (6 of a planned 42)"),
    Field("running_total", "bool", MC.runningTotal, help="a cumulative figure so far"),
    Field("previous", "number", MC.previousValue, help="the figure before (76, up from 60)"),
    Field("within", "id", MC.within, help="the id of the amount of the same list this one is part of"),
    Field("from", "ref:" + ACTOR, MC.contingentOf, help="whose contingent it counts (India's one aircraft)"),
    Field("each", "amount", MC.each, many=True, help="what each counted item holds"),
)

# A time given less or more precisely than a date (docs/claims-model.md, "Times").
WHEN_FIELDS = (
    Field("date", "date", MC.date),
    Field("earliest", "date", MC.earliest),
    Field("latest", "date", MC.latest),
    Field("month_day", "month-day", MC.monthDay, help="a day with no year, --MM-DD"),
    Field("month", "month", MC.month, help="a month with no year, --MM"),
    Field("as_said", "str", MC.asSaid, help="the article's few words for the time"),
    Field("basis", "concept:date-basis", MC.dateBasis, help="how the date was read or resolved"),
)

# Keys of a claim (an entry of ``claims:``); ``at`` and ``id`` are required.
CLAIM_FIELDS = (
    Field("id", "id", None, required=True, help="a local id; the claim's IRI ends in it"),
    Field("mode", "concept:claim-mode", MC.claimMode, help="asserts (default), denies, retracts..."),
    Field("by", "ref:" + ACTOR, MC.attributedTo, many=True, help="who says it; absent: the outlet"),
    Field("via", "ref:organisation|group", MC.via, help="the outlet that carried it"),
    Field("said", "when", MC.statedOn, help="when it was said"),
    Field("at", "paragraph", MC.paragraph, many=True, required=True),
    Field("certainty", "concept:certainty", MC.certainty),
    Field("modality", "concept:modality", MC.modality),
    Field("of", "claim", MC.respondsTo, help="the id of the claim of this fact that this one answers"),
    Field("gives", "key", None, many=True, help="keys of the fact whose values come from this claim"),
    Field("values", "values", None, help="values only this claim gives, kept off the fact"),
    Field("says", "prose", MC.says, help="what is said, in our own words"),
    Field("note", "prose", MC.note),
)

# Keys every fact has, whatever its type. Those with a property (but label) describe the
# article's own account of the fact, its default claim.
FACT_COMMON = (
    Field("type", "str", None, required=True),
    Field("id", "id", None, required=True),
    Field("label", "str", RDFS.label, help="a short name; made from the id when absent"),
    Field("at", "paragraph", MC.paragraph, many=True, required=True,
          help="paragraph numbers of the article where the fact stands"),
    Field("certainty", "concept:certainty", MC.certainty,
          help="stated (default), reported, likely, possible, unclear or attributed"),
    Field("according_to", "ref:" + ACTOR, MC.attributedTo, many=True,
          help="who the article says the fact comes from"),
    Field("via", "ref:organisation|group", MC.via, help="the outlet that carried the attributed claim"),
    Field("said", "when", MC.statedOn, help="when the article's source said it"),
    Field("modality", "concept:modality", MC.modality,
          help="happened (default), ongoing, planned, expected, intended, announced..."),
    Field("mode", "concept:claim-mode", MC.claimMode, help="the article's own claim: asserts (default), reports..."),
    Field("unreported", "unreported", MC.unreported, many=True,
          help="keys of this fact that the article explicitly leaves open"),
    Field("note", "prose", MC.note, help="a curator's note, in our own words"),
    Field("claims", "claims", None, many=True, help="more statements about the fact, each with its speaker"),
    Field("roles", "roles", None, help="role concept -> the actors in that role"),
    Field("links", "links", None, help="link concept -> the facts this fact is linked to"),
)
#: keys of FACT_COMMON that are the fact's, not its default claim's
FACT_OWN = {"type", "id", "label", "unreported", "claims", "roles", "links"}

FACT_TYPES: dict[str, FactType] = {
    t.name: t
    for t in (
        FactType(
            "exercise",
            MC.MilitaryExercise,
            (
                Field("kind", "subclass", None),
                Field("joint", "bool", None, help="held by forces of two or more states"),
                Field("name", "str", SCHEMA.name),
                Field("aliases", "str", SKOS.altLabel, many=True, help="other names the article uses"),
                Field("codename", "str", MC.codename),
                Field("slogan", "str", MC.slogan),
                Field("series", "str", MC.series, help="the series' name (Talisman Sabre)"),
                Field("edition", "int", MC.edition, help="its number in the series (the 11th)"),
                Field("recurrence", "concept:recurrence", MC.recurrence),
                Field("participants", "ref:force", MC.participant, many=True),
                Field("participant_states", "ref:state", MC.participantState, many=True,
                      help="states named as taking part, where the article names no force"),
                Field("participant_count", "amount", MC.participantCount, many=True,
                      help="how many states or forces take part, as the article counts them"),
                Field("host", "ref:force|state|person|organisation", MC.host),
                Field("observers", "ref:state|force|organisation", MC.observer, many=True),
                Field("location", "ref:place", MC.location, many=True),
                Field("start", "when", MC.startDate),
                Field("end", "when", MC.endDate),
                Field("duration", "duration", MC.duration),
                Field("domains", "concept:domain", MC.domain, many=True),
                Field("activities", "concept:activity", MC.activity, many=True),
                Field("aims", "str", MC.aim, many=True, help="what it is for, in our own words"),
                Field("strength", "amount", MC.strength, many=True,
                      help="troops, ships, aircraft... taking part"),
                Field("vessels", "ref:vessel", MC.vessel, many=True),
                Field("weapons", "ref:weapon", MC.weaponUsed, many=True, help="weapon systems used or shown"),
            ),
            subclasses={
                "naval": MC.NavalExercise,
                "land": MC.LandExercise,
                "air": MC.AirExercise,
                "command-post": MC.CommandPostExercise,
            },
            help="a military exercise or drill",
        ),
        FactType(
            "arms-transfer",
            MC.ArmsTransfer,
            (
                Field("supplier", "ref:state", MC.supplier, required=True),
                Field("recipient", "ref:state", MC.recipient, required=True),
                Field("weapon", "ref:weapon", MC.weapon, required=True),
                Field("maker", "ref:organisation", MC.maker),
                Field("quantity", "amount", MC.quantity),
                Field("ordered", "amount", MC.numberOrdered),
                Field("delivered", "amount", MC.numberDelivered),
                Field("value", "amount", MC.dealValue, help="the deal's value, with its currency"),
                Field("status", "concept:transfer-status", MC.transferStatus, required=True),
                Field("used_in", "ref:conflict", MC.usedIn, many=True),
                Field("announced_on", "when", MC.announcedOn),
                Field("ordered_on", "when", MC.orderedOn),
                Field("delivered_on", "when", MC.deliveredOn),
                Field("start", "when", MC.startDate),
                Field("end", "when", MC.endDate),
            ),
            help="weapons passing from one state to another",
        ),
        FactType(
            "agreement",
            MC.Agreement,
            (
                Field("kind", "subclass", None),
                Field("name", "str", SCHEMA.name),
                Field("parties", "ref:state", MC.party, many=True, required=True),
                Field("covers", "concept:provision", MC.covers, many=True),
                Field("lacks", "concept:provision", MC.lacks, many=True),
                Field("aims", "str", MC.aim, many=True),
                Field("signed", "when", MC.signedDate),
            ),
            subclasses={"defence-pact": MC.DefencePact, "treaty": MC.Agreement},
            help="a pact or treaty between states",
        ),
        FactType(
            "meeting",
            MC.Meeting,
            (
                Field("kind", "subclass", None),
                Field("attendees", "ref:person|state", MC.attendee, many=True, required=True),
                Field("topics", "concept:topic", MC.topic, many=True),
                Field("location", "ref:place", MC.location, many=True),
                Field("start", "when", MC.startDate),
                Field("end", "when", MC.endDate),
                Field("duration", "duration", MC.duration),
            ),
            subclasses={"summit": MC.Summit, "talks": MC.Meeting, "visit": MC.Meeting, "call": MC.Meeting},
            help="a meeting or summit",
        ),
        FactType(
            "strike",
            MC.MilitaryStrike,
            (
                Field("attackers", "ref:" + ACTOR, MC.attacker, many=True),
                Field("target", "ref:place", MC.target, many=True),
                Field("target_state", "ref:state", MC.targetState),
                Field("weapons", "ref:weapon", MC.weaponUsed, many=True),
                Field("start", "when", MC.startDate),
                Field("end", "when", MC.endDate),
            ),
            help="a military strike or series of strikes",
        ),
        FactType(
            "cooperation",
            MC.Cooperation,
            (
                Field("parties", "ref:state", MC.party, many=True, required=True),
                Field("areas", "concept:cooperation-area", MC.cooperationArea, many=True),
                Field("in_conflict", "ref:conflict", MC.inConflict),
                Field("aims", "str", MC.aim, many=True),
                Field("since", "when", MC.since),
            ),
            help="states cooperating in some area",
        ),
        FactType(
            "support",
            MC.Support,
            (
                Field("supporters", "ref:state|organisation|group", MC.supporter, many=True, required=True),
                Field("supported", "ref:" + ACTOR, MC.supported, required=True),
                Field("in_conflict", "ref:conflict", MC.inConflict),
            ),
            help="states backing a party to a conflict",
        ),
        FactType(
            "position-held",
            MC.PositionHolding,
            (
                Field("person", "ref:person", MC.holder, required=True),
                Field("position", "ref:position", MC.position, required=True),
                Field("start", "when", MC.heldSince),
                Field("end", "when", MC.heldUntil),
                Field("as_of", "when", MC.asOf, help="when the article says the person held it"),
                Field("former", "bool", MC.former, help="the article says the person no longer holds it"),
            ),
            help="a person holding a position",
        ),
        FactType(
            "denial",
            MC.Denial,
            (
                Field("by", "ref:" + ACTOR, MC.deniedBy, many=True, required=True),
                Field("denies", "fact", MC.denies, many=True, required=True),
                Field("disputes", "fact", MC.disputes, many=True),
                Field("repeated", "bool", MC.repeated),
            ),
            help="an actor denying a fact (the denied fact is recorded too)",
        ),
        FactType(
            "confirmation",
            MC.Confirmation,
            (
                Field("by", "ref:" + ACTOR, MC.confirmedBy, many=True, required=True),
                Field("confirms", "fact", MC.confirms, many=True, required=True),
            ),
            help="an actor confirming a fact",
        ),
        FactType(
            "non-participation",
            MC.NonParticipation,
            (
                Field("actor", "ref:state|force", MC.nonParticipant, required=True),
                Field("exercise", "fact:exercise", MC.exercise, required=True),
            ),
            help="a state or force said not to take part in an exercise",
        ),
        FactType(
            "stance",
            MC.Stance,
            (
                Field("by", "ref:" + ACTOR, MC.heldBy, many=True, required=True),
                Field("kind", "concept:stance", MC.stanceKind, required=True),
                Field("about", "fact", MC.about, many=True),
                Field("towards", "ref:" + ACTOR, MC.towards, many=True),
                Field("regarding", "ref:" + ANY_ENTITY, MC.regarding, many=True,
                      help="entities the stance is about (a person, a conflict, a group such as the West)"),
                Field("areas", "concept:cooperation-area", MC.cooperationArea, many=True),
                Field("says", "prose", MC.says, help="what is held, in our own words"),
            ),
            help="an actor's declared intent, view or criticism",
        ),
        FactType(
            "event",
            MC.Event,
            (
                Field("kind", "concept:event-kind", MC.eventKind, required=True),
                Field("actors", "ref:" + ACTOR, MC.actor, many=True),
                Field("location", "ref:place", MC.location, many=True),
                Field("vessels", "ref:vessel", MC.vessel, many=True),
                Field("weapons", "ref:weapon", MC.weaponUsed, many=True),
                Field("in_conflict", "ref:conflict", MC.inConflict),
                Field("start", "when", MC.startDate),
                Field("end", "when", MC.endDate),
                Field("says", "prose", MC.says, help="what happened, in our own words"),
            ),
            help="any other event an article reports (a port call, an opening ceremony, a deployment)",
        ),
        FactType(
            "bordering",
            MC.Bordering,
            (
                Field("place", "ref:place", MC.place, required=True),
                Field("state_count", "int", MC.borderingStateCount, required=True),
            ),
            help="how many states a place is said to border",
        ),
    )
}

# Every fact type may also give amounts that no key of its own holds (missiles fired in a
# strike, squadrons deployed, companies a minister speaks of): each with its unit.
AMOUNTS = Field("amounts", "amount", MC.amount, many=True, help="other amounts the fact involves, each with its unit")
for _t in FACT_TYPES.values():
    object.__setattr__(_t, "fields", _t.fields + (AMOUNTS,))

# The fields of the article header.
ARTICLE_FIELDS = (
    Field("id", "id", None, required=True),
    Field("title", "str", SCHEMA.headline, required=True),
    Field("publisher", "ref:organisation", SCHEMA.publisher, required=True),
    Field("published", "date", SCHEMA.datePublished, required=True),
    Field("published_basis", "str", MC.publishedDateBasis),
    Field("language", "language", SCHEMA.inLanguage),
    Field("source", "plain", MC.sourceFile, required=True),
    Field("url", "url", SCHEMA.url),
    Field("byline", "str", MC.byline, help="the author as the article names them"),
    Field("via", "ref:organisation", MC.republishedBy, help="the site that republished the article, where it was read"),
)

# Keys of an article header or a fact that may say ``unknown`` instead of a value.
UNKNOWN = "unknown"
