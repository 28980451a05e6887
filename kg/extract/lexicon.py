"""The words the extractor looks for: triggers, hedges, roles. Lower case throughout.

Entity names are not here: they come from the reference entities (labels and aliases), so
an alias added by an analyst improves the next extraction.
"""
from __future__ import annotations

import re

# --- exercises -----------------------------------------------------------------------------

#: nouns that name an exercise (singular and plural forms)
EXERCISE_NOUNS = frozenset(
    "drill drills exercise exercises manoeuvre manoeuvres maneuver maneuvers wargame wargames "
    "war-game war-games games".split()
)
#: multi-word exercise triggers, matched before the nouns
EXERCISE_PHRASES = ("war games", "war game", "military games", "naval parade")
#: words after "exercise" that make it a verb ("exercise restraint")
EXERCISE_VERB_OBJECTS = frozenset(
    "restraint caution control its their his her the influence power authority rights right judgment "
    "judgement patience vigilance".split()
)
#: verbs that make a plural trigger a real event ("Iran and Russia begin military exercises")
EVENT_VERBS = frozenset(
    """
    begin begins began begun beginning start starts started starting launch launches launched launching
    hold holds held holding conduct conducts conducted conducting stage stages staged staging
    kick kicks kicked kicking open opens opened opening host hosts hosted hosting
    join joins joined joining participate participates participated participating
    take takes took taken taking end ends ended ending conclude concludes concluded concluding
    wrap wraps wrapped carry carries carried carrying practise practised practice practiced
    rehearse rehearsed rehearsing unfold unfolds unfolding continue continues continued
    involve involves involved involving run runs ran running get gets got underway
    """.split()
)
KIND_WORDS = {
    "naval": "naval", "navy": "naval", "navies": "naval", "maritime": "naval", "sea": "naval",
    "warships": "naval", "warship": "naval", "fleet": "naval", "submarine": "naval", "submarines": "naval",
    "land": "land", "ground": "land", "army": "land", "tank": "land", "tanks": "land", "troops": "land",
    "infantry": "land", "artillery": "land", "armoured": "land", "armored": "land",
    "air": "air", "aerial": "air", "airborne": "air", "air-force": "air", "aviation": "air",
    "command-post": "command-post", "command-and-staff": "command-post", "staff": "command-post",
}
#: nouns that make a demonym or a state's name stand for its forces ("Russian troops"); "troops" are
#: a state's forces in general (marines, airborne and naval infantry too), "soldiers" its army
MILITARY_NOUNS = {
    "troops": "armed-forces", "soldiers": "army", "servicemen": "armed-forces", "personnel": "armed-forces",
    "forces": "armed-forces", "force": "armed-forces", "military": "armed-forces", "militaries": "armed-forces",
    "army": "army", "armies": "army", "tanks": "army", "paratroopers": "army", "infantry": "army",
    "units": None, "unit": None, "contingent": None, "contingents": None, "crews": None, "detachment": None,
    "battalion": "army", "battalions": "army", "brigade": "army", "brigades": "army", "division": "army",
    "navy": "navy", "navies": "navy", "warships": "navy", "warship": "navy", "ships": "navy", "ship": "navy",
    "vessels": "navy", "vessel": "navy", "sailors": "navy", "marines": "navy", "fleet": "navy",
    "fleets": "navy", "frigates": "navy", "frigate": "navy", "corvettes": "navy", "destroyers": "navy",
    "submarines": "navy", "flotilla": "navy",
    "jets": "air-force", "aircraft": "air-force", "bombers": "air-force", "fighters": "air-force",
    "pilots": "air-force", "helicopters": "air-force",
}
#: adjectives allowed between a demonym and its military noun ("Russian naval units")
MILITARY_MODIFIERS = frozenset(
    "naval military armed special airborne ground air marine elite mechanised mechanized motorised "
    "motorized border coast coastal combat army navy air-force strategic tactical missile rocket "
    "and , - two three four several".split()
)
#: the force kind an exercise's kind calls for, when only a state is named. Ships are a navy's and
#: combat aircraft an air force's, but a land exercise draws on a state's airborne troops, marines,
#: aviation and guards too: a state named in one is its armed forces ("soldiers", "tanks", "army"
#: still name the army)
KIND_FORCE = {"naval": "navy", "air": "air-force"}

OBSERVER_RIGHT = re.compile(
    r"\bobservers?\b(?:\s+(?:delegations?|teams?|states?|nations?|countries))?\s*(?:from|of|representing|"
    r"including|such\s+as|were|:)?", re.I)
OBSERVER_LEFT = re.compile(
    r"\b(?:(?:as|sent|send|sends|sending|dispatched|dispatch|with)\s+(?:military\s+)?observers?|"
    r"observer\s+status|observed|observes|observing|watched|monitored)\b", re.I)
HOST_BY = re.compile(r"\bhost(?:ed)?\s+by\b|\bunder\s+the\s+(?:command|leadership)\s+of\b", re.I)
HOST_VERB = re.compile(r"\b(?:host|hosts|hosted|hosting|will\s+host|is\s+hosting|are\s+hosting)\b(?!\s+by)", re.I)
HOST_NOUN = re.compile(r"\b(?:host(?:\s+(?:nation|country|state))?)\s*,?\s*$", re.I)
NEGATED_PARTICIPATION = re.compile(
    r"\b(?:not|n't|never|no\s+longer)\s+(?:be\s+|been\s+)?(?:participat\w*|tak\w*\s+part|join\w*|"
    r"involved|part\s+of|attend\w*|send\w*\s+(?:troops|forces|ships))|\b(?:declined|refused)\s+to\s+"
    r"(?:take\s+part|join|participate)|\bstay\w*\s+(?:away|out)|\bsat\s+out\b|\bskipp\w*\b|\bboycott\w*", re.I)
PARTICIPATION = re.compile(
    r"\b(?:participat\w*|took\s+part|take\s+part|taking\s+part|takes\s+part|join\w*|involv\w*|"
    r"with\s+(?:the\s+)?participation|units?\s+from|troops\s+from|forces\s+from|contingents?\s+from)\b", re.I)

#: a clause ends before these (after a comma unless marked otherwise)
CLAUSE_BREAK = re.compile(
    r";|:\s|\s[-\u2013\u2014]\s|\u2014|,\s+(?=(?:while|whereas|but|although|though|which|who|prompting|"
    r"marking|underscoring|signalling|signaling|highlighting|showing|amid|after|following|because|as|"
    r"despite|and\s+(?:it|they|he|she|the|this|that)\b|with\s+(?:tensions|the\s+aim)|in\s+a\s+move)\b)|"
    r"\s(?=(?:while|whereas|after|before|because|although|since|amid|prompting|following|despite)\s)|"
    r"\s(?=and\s+that\s)|"
    r"^(?=while\s|whereas\s|although\s)", re.I)

ACTIVITY_CUES = {
    "search-and-rescue": ("rescue", "search and rescue", "search-and-rescue", "sar"),
    "anti-piracy": ("pirate", "pirates", "piracy", "anti-piracy", "counter-piracy"),
    "maritime-security": ("maritime security", "sea lane", "sea lanes", "shipping lanes"),
    "tactical-manoeuvres": ("tactical exercises", "tactical drills", "tactical manoeuvres",
                            "tactical maneuvers", "tactical maneuvres", "manoeuvring", "maneuvering"),
    "patrol": ("patrol", "patrols", "patrolling"),
    "emergency-response": ("emergency response", "emergencies", "emergency"),
    "live-fire": ("live-fire", "live fire", "firing", "fired", "artillery fire", "gunnery"),
    "air-defence": ("air defence", "air defense", "air-defence", "air-defense", "anti-aircraft",
                    "shooting down", "intercept", "interception"),
    "anti-submarine-warfare": ("anti-submarine", "submarine hunting", "submarine-hunting"),
    "amphibious-landing": ("amphibious", "landing operation", "beach landing", "landing of troops"),
    "mine-countermeasures": ("minesweeping", "mine clearance", "mine-clearing", "demining", "mine countermeasures"),
    "command-and-control": ("command and control", "command-and-control", "command post", "command-post",
                            "staff exercise", "joint command"),
    "counter-terrorism": ("counter-terrorism", "counterterrorism", "anti-terrorism", "terrorist", "terrorists",
                          "hostage", "hostages"),
    "reconnaissance": ("reconnaissance", "surveillance", "scouting"),
    "firefighting": ("firefighting", "fire-fighting", "fire on board", "extinguish"),
}

#: the host by sentence structure (x15r2a): a post after its force ("X's commander is hosting"), and
#: a state that launches an exercise which brings in others ("X launched drills that bring in Y")
HOST_POST = re.compile(r"^(?:['\u2019]s)?\s+(commander|chief|head)\b", re.I)
HOST_POST_BEFORE = re.compile(r"\b(commander|chief|head)\s+of\s+(?:the\s+)?$", re.I)
HOST_LAUNCH = re.compile(r"\b(?:(?:has|have|had)\s+)?(?:kick(?:s|ed)?\s+off|launch(?:es|ed)?|open(?:s|ed)?)\b", re.I)
#: a sentence next to an exercise's that says who hosts "the event" or "it"
HOST_ANAPHOR = re.compile(r"\bhost(?:s|ed|ing)?\s+(?:the\s+(?:event|exercises?|drills?|games|manoeuvres|maneuvers)|it)\b",
                          re.I)
HOST_BRING_IN = re.compile(r"\b(?:that|which)\s+(?:will\s+)?(?:brings?|draws?|pulls?)\s+(?:in|together)\b|"
                           r"\b(?:bringing|drawing)\s+(?:in|together)\b", re.I)

# --- arms transfers ------------------------------------------------------------------------

#: verbs whose subject gives the weapons, by stem
GIVE_VERBS = re.compile(
    r"\b(?:suppl(?:y|ies|ied|ying)|deliver(?:s|ed|ing)?|s(?:ell|ells|old|elling)|transferr?(?:s|ed|ing)?|"
    r"ship(?:s|ped|ping)?|provid(?:e|es|ed|ing)|sen(?:d|ds|t|ding)|hand(?:s|ed|ing)?\s+over|"
    r"donat(?:e|es|ed|ing)|export(?:s|ed|ing)?|gave|giv(?:e|es|en|ing)|furnish(?:es|ed|ing)?|"
    r"pledg(?:e|es|ed|ing)|promis(?:e|es|ed|ing)|arm(?:s|ed|ing))\b", re.I)
#: verbs whose subject gets the weapons
GET_VERBS = re.compile(
    r"\b(?:receiv(?:e|es|ed|ing)|acquir(?:e|es|ed|ing)|b(?:uy|uys|ought|uying)|purchas(?:e|es|ed|ing)|"
    r"obtain(?:s|ed|ing)?|order(?:s|ed|ing)?|import(?:s|ed|ing)?|procur(?:e|es|ed|ing)|"
    r"g(?:et|ets|ot|etting)\s+(?:hold\s+of)?|tak(?:e|es|en|ing)\s+delivery\s+of|took\s+delivery\s+of)\b", re.I)
#: nouns for a transfer ("deliveries of shells to Russia")
TRANSFER_NOUNS = re.compile(
    r"\b(?:deliver(?:y|ies)|suppl(?:y|ies)|shipments?|transfers?|sales?|exports?|consignments?|"
    r"purchases?|orders?|acquisitions?|donations?|packages?)\s+of\b", re.I)
PLANNED = re.compile(r"\b(?:will|would|shall|plans?\s+to|planning\s+to|planned|agreed\s+to|pledg\w*|promis\w*|"
                     r"approv\w*|intends?\s+to|is\s+to|are\s+to|(?:was|were)\s+(?:also\s+)?to\s+be|set\s+to|expected\s+to|going\s+to|future|"
                     r"foresee\w*|envisag\w*|framework)\b", re.I)
ORDERED = re.compile(r"\b(?:order(?:s|ed|ing)?|purchas\w*|b(?:uy|uys|ought|uying)|contract\w*|signed\s+a\s+deal|"
                     r"deals?\b[^.;]*\bsigned|signed)\b", re.I)
#: verbs of weapons reaching their recipient: "the jets arrived at the base", "drones were offloaded"
ARRIVE_VERBS = re.compile(r"\b(?:unloaded|offloaded|arriv(?:e|es|ed|ing)|landed|reached)\b", re.I)
#: a deal for weapons: "signed a contract for 12 jets", "a deal for radars was agreed"
DEAL_NOUNS = re.compile(r"\b(?:contracts?|deals?|agreements?)\b", re.I)
#: where weapons were made: "rifles made in Belarus" (the text before the state's name)
ORIGIN = re.compile(r"\b(?:built|made|manufactured|produced|assembled)\s+(?:in|by)\s+(?:the\s+)?$", re.I)
#: pronouns that stand for the subject of a clause
SUBJECT_PRONOUNS = re.compile(r"\b(?:it|they)\b", re.I)
#: a transfer named by a compound adjective: "Iranian-supplied drones"
SUPPLIED_ADJ = re.compile(r"^-?\s*(?:supplied|provided|delivered|donated|sent)\b", re.I)

# --- attribution and doubt -----------------------------------------------------------------

HEDGES = re.compile(
    r"\b(?:reportedly|allegedly|purportedly|supposedly|apparently|"
    r"(?:is|are|was|were|has\s+been|have\s+been|had\s+been)\s+(?:also\s+|still\s+|now\s+|\w+ly\s+)?(?:reported|alleged|said|believed|thought|"
    r"suspected|accused|claimed|understood|rumou?red)\s+to|"
    r"(?:reports?|media\s+reports?|rumou?rs?)\s+(?:say|said|suggest\w*|claim\w*|indicat\w*|allege\w*)|"
    r"it\s+(?:is|was|has\s+been)\s+(?:reported|alleged|claimed|said|believed)|"
    r"(?:is|are|was|were)\s+(?:accused\s+of|suspected\s+of|alleged\s+to)|"
    r"unconfirmed|unverified|may\s+have|might\s+have|could\s+have)\b", re.I)
ACCORDING_TO = re.compile(r"\b(?:according\s+to|as\s+reported\s+by|cited\s+by|citing)\s+", re.I)
SAY_VERBS = re.compile(r"\b(?:said|says|say|told|reported|reports|claimed|claims|stated|states|announced|"
                       r"announces|added|adds|quoted|alleged|alleges|wrote|writes|noted)\b", re.I)
VIA = re.compile(r"\b(?:reported\s+by|quoted\s+by|cited\s+by|told|via|in\s+an\s+interview\s+with|carried\s+by)\s+",
                 re.I)
DENY = re.compile(r"\b(?:den(?:y|ies|ied|ying|ial|ials)|reject(?:s|ed|ing)?|dismiss(?:es|ed|ing)?|"
                  r"refut(?:e|es|ed|ing)|rebuff(?:s|ed|ing)?)\b", re.I)
CONFIRM = re.compile(r"\b(?:confirm(?:s|ed|ing)?|admit(?:s|ted|ting)?|acknowledg(?:e|es|ed|ing))\b", re.I)
REPEATED = re.compile(r"\b(?:repeatedly|again|once\s+more|consistently|have\s+long|has\s+long|continue[sd]?\s+to)\b",
                      re.I)
COOPERATION = re.compile(r"\b(?:co-?operat(?:ion|ing|e|es|ed)|collaborat(?:ion|ing|e)|partnership|alliance|ties)\b",
                         re.I)
AREA_WORDS = {
    "strategic": "strategic", "military": "military", "political": "political", "economic": "economic",
    "defence": "defence", "defense": "defence", "intelligence": "intelligence", "space": "space",
    "technology": "technology-sharing", "technological": "technology-sharing",
}
SOURCE_STOPWORDS = frozenset("a an the of for from to in on at by with its their his her said says one some".split())

# --- quantities ----------------------------------------------------------------------------

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "a dozen": 12, "dozen": 12,
}
SCALE_WORDS = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
VAGUE_AMOUNTS = ("dozens", "scores", "hundreds", "thousands", "tens of thousands", "hundreds of thousands",
                 "millions", "several", "a number", "a few", "some", "many", "numerous", "a batch", "batches")

# --- names that are capitalised without being entities ----------------------------------

COMMON_CAPS = frozenset(
    """
    the a an and or but if it its this that these those there their they them we our he she his her
    while whereas as at in on of for from to with by after before during since until when where which who
    what why how both all some many most several each every other another such no not also however
    according although though despite amid meanwhile moreover furthermore then thus so yet still
    monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    president minister prime foreign defence defense deputy general gen admiral adm colonel col lieutenant
    lt commander cmdr captain capt major maj sergeant spokesperson spokesman spokeswoman chief head leader
    secretary ambassador senator governor mr mrs ms dr prof official officials
    west western east eastern north northern south southern central europe european
    read share more languages skip content facebook twitter instagram x home news
    navy army air force forces military troops fleet
    """.split()
)
TITLES = frozenset(
    "president minister general gen admiral adm colonel col lieutenant lt commander cmdr captain capt "
    "major maj sergeant spokesperson spokesman spokeswoman chief secretary ambassador mr mrs ms dr "
    "leader advisor adviser envoy marshal brigadier".split()
)
FORCE_HEADS = {
    "navy": "navy", "army": "army", "air force": "air-force", "air forces": "air-force",
    "aerospace forces": "air-force", "fleet": "fleet", "flotilla": "fleet", "brigade": "unit",
    "division": "unit", "regiment": "unit", "battalion": "unit", "corps": "unit", "guard": "unit",
    "guards": "unit", "armed forces": "armed-forces", "forces": "armed-forces", "marines": "unit",
    "police": "police", "gendarmerie": "gendarmerie", "coast guard": "unit",
}
PLACE_HEADS = {
    "sea": "body-of-water", "ocean": "body-of-water", "gulf": "body-of-water", "bay": "body-of-water",
    "strait": "body-of-water", "straits": "body-of-water", "lake": "body-of-water", "channel": "body-of-water",
    "river": "body-of-water", "range": "site", "ranges": "site", "base": "site", "polygon": "site",
    "training ground": "site", "airfield": "site", "port": "city", "city": "city", "island": "region",
    "islands": "region", "peninsula": "region", "region": "region", "province": "region", "oblast": "region",
    "district": "region", "mountains": "region", "desert": "region", "coast": "region",
}
ORG_HEADS = ("agency", "news", "times", "post", "press", "ministry", "institute", "organisation", "organization",
             "alliance", "council", "committee", "reuters", "tass", "journal", "daily", "tv", "television",
             "broadcaster", "network", "service", "office", "department", "pact", "treaty", "union")
WEAPON_HEADS = {
    "missile": "missiles", "missiles": "missiles", "rocket": "artillery", "rockets": "artillery",
    "shell": "artillery", "shells": "artillery", "artillery": "artillery", "howitzer": "artillery",
    "howitzers": "artillery", "launcher": "artillery", "launchers": "artillery", "drone": "aircraft",
    "drones": "aircraft", "jet": "aircraft", "jets": "aircraft", "fighter": "aircraft", "fighters": "aircraft",
    "aircraft": "aircraft", "plane": "aircraft", "planes": "aircraft", "helicopter": "aircraft", "helicopters": "aircraft", "tank": "armoured-vehicles",
    "tanks": "armoured-vehicles", "vehicles": "armoured-vehicles", "system": "other", "systems": "other",
    "radar": "sensors", "radars": "sensors", "frigate": "ships", "frigates": "ships", "submarine": "ships",
    "submarines": "ships", "corvette": "ships", "corvettes": "ships", "bombs": "missiles", "bomb": "missiles",
    "munitions": "other", "ammunition": "other", "rifles": "other", "guns": "artillery",
}
WEAPON_GENERIC = frozenset(
    "weapons arms munitions ammunition equipment hardware materiel weaponry systems".split())
VESSEL_HEADS = ("frigate", "corvette", "destroyer", "cruiser", "submarine", "vessel", "ship", "warship",
                "tanker", "minesweeper", "carrier", "patrol boat")

# --- transfers and claims (kg.extract.transfers, kg.extract.claims) --------------------------

#: "hand" gives when its object follows ("handed Russia several missiles", "hand one system over to");
#: "hand over" is a GIVE_VERB, "on the other hand" no verb
HAND_VERBS = re.compile(r"(?<!\bother\s)(?<!\bthe\s)(?<!\ba\s)(?<!\bone\s)\bhand(?:s|ed|ing)?\b(?!\s+over\b)"
                        r"(?!\s+(?:in|out|to|and|of|on|with)\b)(?=\s+\w)", re.I)
#: verbs of giving that are nouns too ("a supply ship", "the ships"): verbs only after their subject or
#: after these ("to ship", "will supply", "it ships"); else nouns
NOUN_VERBS = frozenset("ship ships supply supplies".split())
SHIP_VERB_BEFORE = frozenset("to will would could can may might must should shall did does do not also "
                             "they it he she we and or then which who that".split())
#: verbs that bring weapons to their recipient ("the planes brought missile systems for the army")
BRING_VERBS = re.compile(r"\b(?:br(?:ing|ings|ought|inging))\b(?!\s+(?:together|about|up|down|back|forward)\b)", re.I)
#: a transfer still to come: "have yet to be delivered", "is to be supplied"
PENDING = re.compile(r"\b(?:to|yet\s+to|still\s+to)\s+be\s+$", re.I)
#: words before a weapon that make its transfer one batch of several ("the last batch of", "its first")
BATCH_WORDS = re.compile(r"\b(?:first|second|third|last|final|next|latest|another|new|more|further|"
                         r"batch(?:es)?|tranche|instal(?:l)?ment)\b", re.I)
#: a negation before a transfer cue in its clause: "had not approved any sale of" ("denied that X sold"
#: is drafted, as the fact the denial points at)
NEGATED = re.compile(r"(?:\b(?:not|never|no|neither|nor)\b|n't)(?:\s+[\w'-]+){0,4}\s*$", re.I)
#: a report withdrawn by whoever made it: "later removed the story and declared it false", "retracted"
RETRACTED = re.compile(r"\b(?:retract(?:s|ed|ing)?|withdr(?:ew|awn)\s+(?:the|its)\s+(?:story|report|claim)|"
                       r"(?:removed|deleted|took\s+down|pulled)\s+(?:the|its)\s+(?:story|report|article|post)|"
                       r"declared\s+it\s+false)\b", re.I)
#: an intention, not a decision: "plans to buy", "talks with Iran to obtain", "seeks to acquire"
#: (a transfer drafted with modality ``intended``, docs/claims-model.md)
INTENT = re.compile(r"\b(?:plans?\s+to|planning\s+to|intends?\s+to|intend(?:ed|ing)\s+to|"
                    r"seek(?:s|ing)?\s+to|wants?\s+to|hopes?\s+to|negotiations?|talks)\b", re.I)
#: a speaker's belief before a transfer cue: "it believes Russia plans to buy" (certainty ``likely``);
#: not the passive hedge "is believed to have supplied" (a report, ``HEDGES``)
BELIEF = re.compile(r"\b(?:believes|believe|thinks|suspects)\s+(?:that\s+)?[^.;]*$", re.I)
