"""The workspace's vocabulary: enums with English labels.

Values are stored in the database as the enum's ``value`` (a stable code);
``label`` is for people (the Dutch terms live in :mod:`buyergroups.i18n.nl`,
read through :func:`buyergroups.i18n.enum_label`). Validation of free values
lives here too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum


class LabelledEnum(StrEnum):
    """A str enum whose members carry an English label."""

    label: str

    def __new__(cls, value: str, label: str = "") -> LabelledEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label or value.replace("_", " ")
        return member

    @classmethod
    def parse(cls, raw: str, field: str | None = None) -> LabelledEnum:
        """The member for a stored code or its label in any interface language; an error else."""
        from buyergroups import i18n
        from buyergroups.errors import ValidationError, msg

        text = (raw or "").strip().lower()
        for member in cls:
            if text == member.value or text in i18n.enum_labels(member):
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

    ENVIRONMENT_BIODIVERSITY = ("environment_biodiversity", "Environment & biodiversity")
    CLIMATE = ("climate", "Climate")
    CIRCULAR = ("circular", "Circular (incl. biobased)")
    INTERNATIONAL_SOCIAL_CONDITIONS = (
        "international_social_conditions",
        "International social conditions",
    )
    DIVERSITY_INCLUSION = ("diversity_inclusion", "Diversity & inclusion")
    SOCIAL_RETURN = ("social_return", "Social return")


class AmbitionLevel(LabelledEnum):
    BASIS = ("basis", "Basis")
    SIGNIFICANT = ("significant", "Significant")
    AMBITIOUS = ("ambitious", "Ambitious")


class CriterionType(LabelledEnum):
    SELECTION = ("selection", "Selection criterion")
    TECHNICAL_SPECIFICATION = ("technical_specification", "Technical specification")
    AWARD_CRITERION = ("award_criterion", "Award criterion")
    CONTRACT_CLAUSE = ("contract_clause", "Contract performance clause")


class Status(LabelledEnum):
    DRAFT = ("draft", "Draft")
    IN_REVIEW = ("in_review", "In review")
    AGREED = ("agreed", "Agreed")
    PUBLISHED = ("published", "Published")


# Forward along the flow, or one step back to rework.
STATUS_TRANSITIONS: dict[Status, tuple[Status, ...]] = {
    Status.DRAFT: (Status.IN_REVIEW,),
    Status.IN_REVIEW: (Status.AGREED, Status.DRAFT),
    Status.AGREED: (Status.PUBLISHED, Status.IN_REVIEW),
    Status.PUBLISHED: (Status.AGREED,),
}


class Visibility(LabelledEnum):
    GROUP = ("group", "Group members only")
    PUBLISHED = ("published", "Everyone signed in")


class DocumentKind(LabelledEnum):
    MARKET_VISION = ("market_vision", "Market vision")
    SPECIFICATION = ("specification", "Specification")
    DIALOGUE_NOTE = ("dialogue_note", "Market-dialogue note")
    JOINT_STATEMENT = ("joint_statement", "Joint statement of demand")


class OrganisationKind(LabelledEnum):
    MUNICIPALITY = ("municipality", "Municipality")
    PROVINCE = ("province", "Province / region")
    WATER_AUTHORITY = ("water_authority", "Water authority")
    MINISTRY = ("ministry", "Ministry")
    AGENCY = ("agency", "Government agency")
    COMPANY = ("company", "Company")
    KNOWLEDGE_INSTITUTE = ("knowledge_institute", "Knowledge institute")
    OTHER = ("other", "Other")


class OrganisationType(LabelledEnum):
    """What kind of body an organisation is, to choose its peers in the benchmark."""

    CENTRAL_GOVERNMENT = ("central_government", "Central government")
    PROVINCE = ("province", "Province")
    MUNICIPALITY = ("municipality", "Municipality")
    WATER_AUTHORITY = ("water_authority", "Water authority")
    OTHER_PUBLIC = ("other_public", "Other public body")
    PRIVATE = ("private", "Private organisation")


class NoticeStage(LabelledEnum):
    """The step a notice is in a procurement's life cycle."""

    PRIOR_INFORMATION = ("pin", "Prior information")
    CONTRACT_NOTICE = ("cn", "Contract notice")
    CHANGE = ("change", "Change")
    AWARD = ("can", "Contract award notice")
    MODIFICATION = ("modification", "Contract modification")
    OTHER = ("other", "Other notice")


class LotResultStatus(LabelledEnum):
    """A lot's winner-selection status (eForms winner-selection-status, OCDS award status)."""

    WINNER_CHOSEN = ("selec-w", "Winner chosen")
    CLOSED_NO_WINNER = ("clos-nw", "Closed without a winner")
    OPEN = ("open-nw", "Still open")
    PENDING = ("pending", "Award pending")
    CANCELLED = ("cancelled", "Cancelled")


class Contracted(LabelledEnum):
    """Step 3: was the sustainability requirement taken into the contract?"""

    YES = ("yes", "Yes")
    NO = ("no", "No")
    UNKNOWN = ("unknown", "Unknown")


class Realised(LabelledEnum):
    """Step 3: was the sustainable purchase realised?"""

    YES = ("yes", "Yes")
    PARTLY = ("partly", "Partly")
    NO = ("no", "No")
    UNKNOWN = ("unknown", "Unknown")


class Effect(LabelledEnum):
    """Step 3: the expected qualitative effect (on CO2, on raw materials)."""

    NONE = ("none", "None")
    SMALL = ("small", "Small")
    LARGE = ("large", "Large")


class EffectKnowledge(LabelledEnum):
    """Step 3: how well the buyer knows the effect."""

    ESTIMATE = ("estimate", "Estimate")
    MEASURED = ("measured", "Measured")


class Sector(LabelledEnum):
    CIVIL_WORKS = ("civil_works", "Civil works")
    CONSTRUCTION = ("construction", "Construction")
    MOBILITY = ("mobility", "Mobility")
    ICT = ("ict", "ICT")
    TEXTILES = ("textiles", "Textiles")
    PLASTICS = ("plastics", "Plastics")
    CATERING = ("catering", "Catering")
    ENERGY = ("energy", "Energy")
    FURNITURE = ("furniture", "Furniture")
    OTHER = ("other", "Other")


class Programme(LabelledEnum):
    NATIONAL_BUYER_GROUP = ("national_buyer_group", "National Buyer Group")
    CIRCULAR_FAIR_ICT = ("circular_fair_ict_pact", "Circular and Fair ICT Pact")
    BIG_BUYERS = ("big_buyers", "Big Buyers")
    OTHER = ("other", "Other")


class Phase(LabelledEnum):
    FORMING = ("forming", "Forming")
    MARKET_VISION = ("market_vision", "Market vision")
    MARKET_DIALOGUE = ("market_dialogue", "Market dialogue")
    SPECIFICATIONS = ("specifications_criteria", "Specifications & criteria")
    TENDERING = ("tendering", "Tendering")
    CONTRACT = ("contract_monitoring", "Contract & monitoring")


class OrganisationRole(LabelledEnum):
    """An organisation's role in a group's work."""

    LEAD = ("lead", "Lead")
    FRONT_RUNNER = ("front_runner", "Front runner")
    FOLLOWER = ("follower", "Follower")
    OBSERVER = ("observer", "Observer")
    SUPPLIER_EXPERT = ("supplier_expert", "Supplier / expert")


class GroupRole(LabelledEnum):
    """A user's access role in a group's workspace."""

    FACILITATOR = ("facilitator", "Facilitator")
    MEMBER = ("member", "Member")
    OBSERVER = ("observer", "Observer (read only)")


class DialogueKind(LabelledEnum):
    RFI = ("rfi", "Request for information")
    MARKET_CONSULTATION = ("market_consultation", "Market consultation")
    INFORMATION_MEETING = ("information_meeting", "Plenary information meeting")
    SUPPLIER_DAY = ("supplier_day", "Supplier day")
    ONE_TO_ONE = ("one_to_one", "One-to-one meeting")
    PITCH_SBIR = ("pitch_sbir", "Pitch / SBIR")


# The languages content (documents, criteria, dialogue events) can be written in, by ISO 639-1
# code, named in their own language. The interface speaks fewer: buyergroups.i18n.LANGUAGES.
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


def normalise_language(raw: str | None, field: str = "language") -> str:
    """The ISO 639-1 code of a content language ('nl', 'en', ...); a ValidationError otherwise."""
    from buyergroups.errors import ValidationError, msg

    code = (raw or "").strip().lower()
    if code not in LANGUAGES:
        raise ValidationError(
            msg(
                "Language {language} is not supported; use one of {languages}.",
                language=repr(code),
                languages=", ".join(LANGUAGES),
            ),
            field=field,
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
