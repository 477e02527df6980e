"""The workspace's vocabulary: enums with English labels and Dutch terms.

Values are stored in the database as the enum's ``value`` (a stable code);
``label`` is for people. Validation of free values lives here too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum


class LabelledEnum(StrEnum):
    """A str enum whose members carry an English label and a Dutch term."""

    label: str
    label_nl: str

    def __new__(cls, value: str, label: str = "", label_nl: str = "") -> LabelledEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label or value.replace("_", " ")
        member.label_nl = label_nl or member.label
        return member

    @classmethod
    def parse(cls, raw: str, field: str | None = None) -> LabelledEnum:
        """The member for a stored code or label; a clear error otherwise."""
        from buyergroups.errors import ValidationError, msg

        text = (raw or "").strip()
        for member in cls:
            if text.lower() in (member.value, member.label.lower(), member.label_nl.lower()):
                return member
        allowed = ", ".join(member.value for member in cls)
        raise ValidationError(
            msg(
                "{field}: {value} is not one of {allowed}.",
                field=msg(field or cls.__name__),
                value=repr(raw),
                allowed=allowed,
            ),
            field=field,
        )


class Theme(LabelledEnum):
    """The six MVI themes of Dutch sustainable procurement policy."""

    ENVIRONMENT_BIODIVERSITY = (
        "environment_biodiversity",
        "Environment & biodiversity",
        "Milieu en biodiversiteit",
    )
    CLIMATE = ("climate", "Climate", "Klimaat")
    CIRCULAR = ("circular", "Circular (incl. biobased)", "Circulair")
    INTERNATIONAL_SOCIAL_CONDITIONS = (
        "international_social_conditions",
        "International social conditions",
        "Internationale sociale voorwaarden",
    )
    DIVERSITY_INCLUSION = (
        "diversity_inclusion",
        "Diversity & inclusion",
        "Diversiteit en inclusie",
    )
    SOCIAL_RETURN = ("social_return", "Social return", "Social return")


class AmbitionLevel(LabelledEnum):
    BASIS = ("basis", "Basis", "Basis")
    SIGNIFICANT = ("significant", "Significant", "Significant")
    AMBITIOUS = ("ambitious", "Ambitious", "Ambitieus")


class CriterionType(LabelledEnum):
    SELECTION = ("selection", "Selection criterion", "Geschiktheidseis")
    TECHNICAL_SPECIFICATION = (
        "technical_specification",
        "Technical specification",
        "Eis (technische specificatie)",
    )
    AWARD_CRITERION = ("award_criterion", "Award criterion", "Gunningscriterium")
    CONTRACT_CLAUSE = ("contract_clause", "Contract performance clause", "Contractbepaling")


class Status(LabelledEnum):
    DRAFT = ("draft", "Draft", "Concept")
    IN_REVIEW = ("in_review", "In review", "In review")
    AGREED = ("agreed", "Agreed", "Vastgesteld")
    PUBLISHED = ("published", "Published", "Gepubliceerd")


# Forward along the flow, or one step back to rework.
STATUS_TRANSITIONS: dict[Status, tuple[Status, ...]] = {
    Status.DRAFT: (Status.IN_REVIEW,),
    Status.IN_REVIEW: (Status.AGREED, Status.DRAFT),
    Status.AGREED: (Status.PUBLISHED, Status.IN_REVIEW),
    Status.PUBLISHED: (Status.AGREED,),
}


class Visibility(LabelledEnum):
    GROUP = ("group", "Group members only", "Alleen groepsleden")
    PUBLISHED = ("published", "Everyone signed in", "Iedereen die is ingelogd")


class DocumentKind(LabelledEnum):
    MARKET_VISION = ("market_vision", "Market vision", "Marktvisie")
    SPECIFICATION = ("specification", "Specification", "Specificatie")
    DIALOGUE_NOTE = ("dialogue_note", "Market-dialogue note", "Verslag marktdialoog")
    JOINT_STATEMENT = ("joint_statement", "Joint statement of demand", "Gezamenlijke uitvraag")


class OrganisationKind(LabelledEnum):
    MUNICIPALITY = ("municipality", "Municipality", "Gemeente")
    PROVINCE = ("province", "Province / region", "Provincie")
    WATER_AUTHORITY = ("water_authority", "Water authority", "Waterschap")
    MINISTRY = ("ministry", "Ministry", "Ministerie")
    AGENCY = ("agency", "Government agency", "Uitvoeringsorganisatie")
    COMPANY = ("company", "Company", "Bedrijf")
    KNOWLEDGE_INSTITUTE = ("knowledge_institute", "Knowledge institute", "Kennisinstelling")
    OTHER = ("other", "Other", "Overig")


class Sector(LabelledEnum):
    CIVIL_WORKS = ("civil_works", "Civil works", "GWW")
    CONSTRUCTION = ("construction", "Construction", "Bouw")
    MOBILITY = ("mobility", "Mobility", "Mobiliteit")
    ICT = ("ict", "ICT", "ICT")
    TEXTILES = ("textiles", "Textiles", "Textiel")
    PLASTICS = ("plastics", "Plastics", "Kunststoffen")
    CATERING = ("catering", "Catering", "Catering")
    ENERGY = ("energy", "Energy", "Energie")
    FURNITURE = ("furniture", "Furniture", "Meubilair")
    OTHER = ("other", "Other", "Overig")


class Programme(LabelledEnum):
    NATIONAL_BUYER_GROUP = ("national_buyer_group", "National Buyer Group", "Buyer Group (NL)")
    CIRCULAR_FAIR_ICT = (
        "circular_fair_ict_pact",
        "Circular and Fair ICT Pact",
        "Circular and Fair ICT Pact",
    )
    BIG_BUYERS = ("big_buyers", "Big Buyers", "Big Buyers")
    OTHER = ("other", "Other", "Overig")


class Phase(LabelledEnum):
    FORMING = ("forming", "Forming", "Vorming")
    MARKET_VISION = ("market_vision", "Market vision", "Marktvisie")
    MARKET_DIALOGUE = ("market_dialogue", "Market dialogue", "Marktdialoog")
    SPECIFICATIONS = ("specifications_criteria", "Specifications & criteria", "Eisen en criteria")
    TENDERING = ("tendering", "Tendering", "Aanbesteden")
    CONTRACT = ("contract_monitoring", "Contract & monitoring", "Contract en monitoring")


class OrganisationRole(LabelledEnum):
    """An organisation's role in a group's work."""

    LEAD = ("lead", "Lead", "Trekker")
    FRONT_RUNNER = ("front_runner", "Front runner", "Koploper")
    FOLLOWER = ("follower", "Follower", "Volger")
    OBSERVER = ("observer", "Observer", "Waarnemer")
    SUPPLIER_EXPERT = ("supplier_expert", "Supplier / expert", "Leverancier / expert")


class GroupRole(LabelledEnum):
    """A user's access role in a group's workspace."""

    FACILITATOR = ("facilitator", "Facilitator", "Facilitator")
    MEMBER = ("member", "Member", "Lid")
    OBSERVER = ("observer", "Observer (read only)", "Waarnemer (alleen lezen)")


class DialogueKind(LabelledEnum):
    RFI = ("rfi", "Request for information", "Request for information")
    MARKET_CONSULTATION = ("market_consultation", "Market consultation", "Marktconsultatie")
    INFORMATION_MEETING = (
        "information_meeting",
        "Plenary information meeting",
        "Informatiebijeenkomst",
    )
    SUPPLIER_DAY = ("supplier_day", "Supplier day", "Leveranciersdag")
    ONE_TO_ONE = ("one_to_one", "One-to-one meeting", "Een-op-eengesprek")
    PITCH_SBIR = ("pitch_sbir", "Pitch / SBIR", "Pitch / SBIR")


LANGUAGES = {
    "nl": "Nederlands",
    "en": "English",
    "de": "Deutsch",
    "fr": "Français",
    "da": "Dansk",
    "sv": "Svenska",
    "no": "Norsk",
    "fi": "Suomi",
    "es": "Español",
    "it": "Italiano",
    "pl": "Polski",
}

# ISO 3166-1 alpha-2 codes of the countries the programmes work in, plus the
# rest of the EU/EEA, so a form can offer a short list.
COUNTRIES = {
    "AT": "Austria",
    "BE": "Belgium",
    "BG": "Bulgaria",
    "CH": "Switzerland",
    "CY": "Cyprus",
    "CZ": "Czechia",
    "DE": "Germany",
    "DK": "Denmark",
    "EE": "Estonia",
    "ES": "Spain",
    "FI": "Finland",
    "FR": "France",
    "GB": "United Kingdom",
    "GR": "Greece",
    "HR": "Croatia",
    "HU": "Hungary",
    "IE": "Ireland",
    "IS": "Iceland",
    "IT": "Italy",
    "LT": "Lithuania",
    "LU": "Luxembourg",
    "LV": "Latvia",
    "MT": "Malta",
    "NL": "Netherlands",
    "NO": "Norway",
    "PL": "Poland",
    "PT": "Portugal",
    "RO": "Romania",
    "SE": "Sweden",
    "SI": "Slovenia",
    "SK": "Slovakia",
}

_CPV = re.compile(r"^(\d{8})(?:-(\d))?$")

MAX_TITLE = 300
MAX_TEXT = 200_000


def normalise_cpv(raw: str) -> str:
    """An 8-digit CPV code from '45221100', '45221100-3' or ' 45221100-3 '."""
    from buyergroups.errors import ValidationError, msg

    match = _CPV.match((raw or "").strip())
    if not match:
        raise ValidationError(
            msg(
                "CPV code {value} is not valid: use 8 digits, optionally with the check digit "
                "(e.g. 45221100 or 45221100-3).",
                value=repr(raw),
            ),
            field="cpv_codes",
        )
    return match.group(1)


def normalise_cpvs(raw: Iterable[str] | str) -> list[str]:
    """Deduplicated 8-digit CPV codes in the order given (comma or space separated text ok)."""
    items = re.split(r"[,;\s]+", raw) if isinstance(raw, str) else list(raw)
    seen: list[str] = []
    for item in items:
        if item and item.strip():
            code = normalise_cpv(item)
            if code not in seen:
                seen.append(code)
    return seen


def normalise_country(raw: str) -> str:
    """An ISO 3166-1 alpha-2 code, upper case."""
    from buyergroups.errors import ValidationError, msg

    code = (raw or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise ValidationError(
            msg(
                "Country {value} is not an ISO 3166-1 alpha-2 code (e.g. NL, DE, SE).",
                value=repr(raw),
            ),
            field="country",
        )
    return code


def require_text(raw: str | None, field: str, *, max_length: int = MAX_TITLE) -> str:
    """Stripped text, refusing empty and over-long values."""
    from buyergroups.errors import ValidationError, msg

    label = msg(field.replace("_", " ").capitalize())
    text = (raw or "").strip()
    if not text:
        raise ValidationError(msg("{field} is required.", field=label), field=field)
    if len(text) > max_length:
        raise ValidationError(
            msg(
                "{field} is too long ({length} characters; at most {limit}).",
                field=label,
                length=f"{len(text):,}",
                limit=f"{max_length:,}",
            ),
            field=field,
        )
    return text


def optional_text(raw: str | None, field: str, *, max_length: int = MAX_TEXT) -> str:
    """Stripped text that may be empty, refusing over-long values."""
    text = (raw or "").strip()
    if text:
        return require_text(text, field, max_length=max_length)
    return ""
