"""Detect sustainable procurement (MVI) in a parsed tender, with the evidence for each flag.

Structured data first, then text. The mapping (also in README.md):

========================================  =====================================
structured code                           MVI theme
========================================  =====================================
BT-774 clim-mitig, clim-adapt             climate
BT-774 circ-econ                          circular
BT-774 biodiv-eco, pollu-prev, water-mar  environment & biodiversity
BT-774 other                              environment & biodiversity
BT-775 hum-right, work-cond               international social conditions
BT-775 et-eq, gen-eq, acc-all             diversity & inclusion
BT-775 opp                                social return
BT-775 other                              (sustainable, no theme)
BT-06 env-imp, BT-805 eu/national/other   environment & biodiversity, unless a
                                          BT-774 code names a theme
BT-06 soc-obj                             (sustainable; theme from BT-775)
BT-06 inn-pur, BT-776                     not MVI by themselves (innovation)
OCDS tender.sustainability[].goal         see ``OCDS_GOALS``
OCDS tender.hasSustainability = true      (sustainable, no theme)
========================================  =====================================

Then phrases in award criteria, contract performance conditions, titles and
descriptions, in Dutch, English, German, French, Swedish, Danish and Spanish
(``PHRASES``). Each flag names its field and the code or phrase found.
"""

from __future__ import annotations

import re

from buyergroups.domain import Theme
from buyergroups.ingest.records import MviFlag, Tender

ENV = Theme.ENVIRONMENT_BIODIVERSITY.value
CLIMATE = Theme.CLIMATE.value
CIRCULAR = Theme.CIRCULAR.value
ISV = Theme.INTERNATIONAL_SOCIAL_CONDITIONS.value
DIVERSITY = Theme.DIVERSITY_INCLUSION.value
SOCIAL_RETURN = Theme.SOCIAL_RETURN.value

ENVIRONMENTAL_IMPACT: dict[str, str] = {
    "clim-mitig": CLIMATE,
    "clim-adapt": CLIMATE,
    "circ-econ": CIRCULAR,
    "biodiv-eco": ENV,
    "pollu-prev": ENV,
    "water-mar": ENV,
    "other": ENV,
}
SOCIAL_OBJECTIVE: dict[str, str | None] = {
    "hum-right": ISV,
    "work-cond": ISV,
    "et-eq": DIVERSITY,
    "gen-eq": DIVERSITY,
    "acc-all": DIVERSITY,
    "opp": SOCIAL_RETURN,
    "other": None,
}
OCDS_GOALS: dict[str, str | None] = {
    "environmental": ENV,
    "environmental.biodiversityProtectionRestoration": ENV,
    "environmental.pollutionPrevention": ENV,
    "environmental.waterResourcesProtection": ENV,
    "environmental.carbonEmissionsReduction": CLIMATE,
    "environmental.climateChangeMitigation": CLIMATE,
    "environmental.climateChangeAdaptation": CLIMATE,
    "environmental.energyEfficiency": CLIMATE,
    "environmental.circularEconomy": CIRCULAR,
    "environmental.recycling": CIRCULAR,
    "environmental.resourceReuse": CIRCULAR,
    "environmental.wasteReduction": CIRCULAR,
    "social": None,
    "social.humanRightsInSupplyChains": ISV,
    "social.laborRightsPromotion": ISV,
    "social.accessibility": DIVERSITY,
    "social.ethnicEquality": DIVERSITY,
    "social.genderEquality": DIVERSITY,
    "social.womenInclusion": DIVERSITY,
    "social.disadvantagedEmploymentOpportunities": SOCIAL_RETURN,
    "economic.formalEmploymentPromotion": SOCIAL_RETURN,
}

# Phrases per theme, one regex alternation per language (en, nl, de, fr, sv, da, es),
# matched case-insensitively from the start of a word.
PHRASES: dict[str, list[str]] = {
    CLIMATE: [
        r"co2\b|co₂|carbon|greenhouse gas|emission|zero[- ]emission|energy[- ]efficien"
        r"|fossil[- ]free|climate",
        r"klimaat|uitstoot|broeikasgas|emissie|co2-prestatieladder|energiezuinig|fossielvrij",
        r"klimaschutz|klimaneutral|klimafreundlich|treibhausgas|emissionsfrei|energieeffizien",
        r"émissions?|gaz à effet de serre|bas carbone|efficacité énergétique|climatique",
        r"klimatpåverkan|klimatsmart|utsläpp|växthusgas|fossilfri",
        r"klimavenlig|klimaaftryk|udledning|drivhusgas",
        r"emisiones|efecto invernadero|huella de carbono|eficiencia energética|cambio climático",
    ],
    CIRCULAR: [
        r"circular|recycl|reuse|re-use|refurbish|remanufactur|bio-?based",
        r"circulair|hergebruik|gerecycl",
        r"kreislauf|wiederverwend|wiederverwert|recycel|biobasiert",
        r"économie circulaire|réemploi|réutilis|recyclé|biosourcé",
        r"cirkulär|återvin|återvun|återbruk",
        r"cirkulær|genbrug|genanvend",
        r"economía circular|reciclad|reutiliza",
    ],
    ENV: [
        r"biodivers|eco-?label|environmental(?:ly)? friendly|environmental criteria"
        r"|environmental impact|pollution|organic farming|green public procurement|gpp\b",
        r"milieukeur|milieuvriendelijk|milieu-?impact|milieucriteria|milieubelasting"
        r"|milieukosten|mki\b|biologische landbouw",
        r"umweltfreundlich|umweltzeichen|blauer engel|umweltverschmutzung|ökologisch",
        r"respectueux de l'environnement|écolabel",
        r"biologisk mångfald|miljömärk|miljövänlig|svanenmärk|förorening",
        r"miljømærk|miljøvenlig|forurening",
        r"etiqueta ecológica|respetuoso con el medio ambiente|criterios ambientales|contaminación",
    ],
    ISV: [
        r"fair ?trade|working conditions|human rights|child labou?r|forced labou?r|ilo\b"
        r"|responsible supply chain|supply chain responsib",
        r"eerlijke handel|arbeidsomstandigheden|mensenrechten|kinderarbeid"
        r"|ketenverantwoordelijkheid|internationale sociale voorwaarden",
        r"fairer handel|arbeitsbedingungen|menschenrechte|kinderarbeit|lieferkettensorgfalt",
        r"commerce équitable|conditions de travail|droits de l'homme|droits humains"
        r"|travail des enfants",
        r"rättvis handel|arbetsvillkor|mänskliga rättigheter|barnarbete",
        r"arbejdsforhold|menneskerettighed|børnearbejde",
        r"comercio justo|condiciones (?:laborales|de trabajo)|derechos humanos|trabajo infantil",
    ],
    DIVERSITY: [
        r"diversity|social inclusion|inclusive employment|gender equality|accessibility|disabilit",
        r"diversiteit|inclusie|gendergelijkheid|toegankelijkheid|arbeidsbeperking",
        r"vielfalt|diversität|inklusion|gleichstellung|barrierefrei|behinderung",
        r"diversité|inclusion sociale|égalité (?:femmes|entre les femmes)|accessibilité",
        r"(?<!biologisk )mångfald|inkludering|jämställdhet|tillgänglighet|funktionsnedsättning",
        r"mangfoldighed|ligestilling|tilgængelighed",
        r"diversidad|inclusión|igualdad de género|accesibilidad|discapacidad",
    ],
    SOCIAL_RETURN: [
        r"social return|sroi\b|long-term unemployed|apprentice|disadvantaged|sheltered work",
        r"socialreturn|langdurig werklo|afstand tot de arbeidsmarkt|leerwerkplek"
        r"|sociale werkplaats",
        r"langzeitarbeitslos|ausbildungspl|benachteiligte",
        r"clauses? sociales?|insertion professionnelle|chômeurs de longue durée|apprenti"
        r"|personnes défavorisées",
        r"långtidsarbetslös|lärling|sociala hänsyn",
        r"langtidsledig|lærling|sociale klausuler",
        r"desempleados de larga duración|aprendices|personas desfavorecidas"
        r"|inserción (?:laboral|sociolaboral)",
    ],
}

_PATTERNS: dict[str, re.Pattern[str]] = {
    theme: re.compile(r"(?<![\w])(?:" + "|".join(phrases) + r")", re.IGNORECASE)
    for theme, phrases in PHRASES.items()
}
# The same phrases matched case-sensitively in the lowercased text: about twice as fast
# as IGNORECASE, and the same matches for a text whose lowercase keeps its length and holds
# neither dotless i nor long s (the only characters IGNORECASE equates with a phrase's letter
# where str.lower does not: checked over every code point by tests/ingest/test_mvi.py).
_LOWERCASE_PATTERNS: dict[str, re.Pattern[str]] = {
    theme: re.compile(r"(?<![\w])(?:" + "|".join(phrases) + r")")
    for theme, phrases in PHRASES.items()
}
_NOT_LOWERED = ("\u0131", "\u017f")  # ı, ſ


def detect(tender: Tender) -> list[MviFlag]:
    """Every MVI flag of the tender: structured codes first, then phrases; no repeats."""
    flags = _code_flags(tender) + _ocds_flags(tender) + _text_flags(tender)
    unique: dict[tuple[str | None, str, str], MviFlag] = {}
    for flag in flags:
        unique.setdefault((flag.theme, flag.field, flag.evidence.lower()), flag)
    return list(unique.values())


def _code_flags(tender: Tender) -> list[MviFlag]:
    flags = [
        MviFlag(ENVIRONMENTAL_IMPACT.get(code, ENV), "code", "BT-774 environmental-impact", code)
        for code in tender.environmental_impact
    ]
    flags += [
        MviFlag(SOCIAL_OBJECTIVE.get(code), "code", "BT-775 social-objective", code)
        for code in tender.social_objective
    ]
    # env-imp and GPP codes name no theme of their own; BT-774, when given, does.
    generic_env = None if tender.environmental_impact else ENV
    for code in tender.strategic_procurement:
        if code == "env-imp":
            flags.append(MviFlag(generic_env, "code", "BT-06 strategic-procurement", code))
        elif code == "soc-obj":
            flags.append(MviFlag(None, "code", "BT-06 strategic-procurement", code))
    flags += [
        MviFlag(generic_env, "code", "BT-805 gpp-criteria", code) for code in tender.gpp_criteria
    ]
    return flags


def _ocds_flags(tender: Tender) -> list[MviFlag]:
    flags = []
    for entry in tender.sustainability:
        goal = str(entry.get("goal") or "")
        if goal:
            theme = OCDS_GOALS.get(goal, OCDS_GOALS.get(goal.split(".")[0]))
            if goal in OCDS_GOALS or goal.split(".")[0] in ("environmental", "social"):
                flags.append(MviFlag(theme, "code", "OCDS tender.sustainability.goal", goal))
        for strategy in entry.get("strategies") or []:
            if strategy in ("euGPPCriteria", "nationalGPPCriteria"):
                flags.append(
                    MviFlag(None, "code", "OCDS tender.sustainability.strategies", strategy)
                )
    if tender.texts.get("hasSustainability") == "true":
        flags.append(MviFlag(None, "code", "OCDS tender.hasSustainability", "true"))
    return flags


def _text_flags(tender: Tender) -> list[MviFlag]:
    flags = []
    for field, text in _texts(tender):
        for theme, span in phrase_spans(text):
            flags.append(MviFlag(theme, "text", field, text[span[0] : span[1]]))
    return flags


def phrase_spans(text: str) -> list[tuple[str, tuple[int, int]]]:
    """(theme, (start, end)) of every phrase in ``text``, theme by theme in ``PHRASES`` order."""
    lowered = text.lower()
    if len(lowered) == len(text) and not any(char in lowered for char in _NOT_LOWERED):
        patterns, searched = _LOWERCASE_PATTERNS, lowered
    else:
        patterns, searched = _PATTERNS, text
    return [
        (theme, match.span())
        for theme, pattern in patterns.items()
        for match in pattern.finditer(searched)
    ]


def _texts(tender: Tender) -> list[tuple[str, str]]:
    texts = [("title", tender.title), ("description", tender.description)]
    for lot in tender.lots:
        texts += [
            (f"{lot.lot_id} title", lot.title),
            (f"{lot.lot_id} description", lot.description),
        ]
        for number, criterion in enumerate(lot.award_criteria, start=1):
            label = f"{lot.lot_id} award criterion {number}"
            texts += [
                (f"{label} name", criterion.name),
                (f"{label} description", criterion.description),
            ]
        texts += [
            (f"{lot.lot_id} performance condition {n}", text)
            for n, text in enumerate(lot.conditions, start=1)
        ]
    texts += [(name, text) for name, text in tender.texts.items() if name != "hasSustainability"]
    texts += [
        ("OCDS tender.sustainability.description", str(entry.get("description") or ""))
        for entry in tender.sustainability
    ]
    return [(field, text) for field, text in texts if text]
