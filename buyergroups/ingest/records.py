"""Parsed tenders as plain dataclasses: what every parser returns and the loader stores."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass
class AwardCriterion:
    """One award criterion of a lot (eForms BT-539/734/540/541)."""

    criterion_type: str  # price | cost | quality (or the source's own code)
    name: str = ""
    description: str = ""
    weight: float | None = None
    lots_group: str = ""  # eForms lot group (GLO-xxxx) the criterion was set on; "" for the lot


@dataclass
class Lot:
    """One lot of a tender, with its own CPV codes, value and award criteria."""

    lot_id: str
    title: str = ""
    description: str = ""
    cpv_codes: list[str] = field(default_factory=list)
    estimated_value: float | None = None
    currency: str | None = None
    award_criteria: list[AwardCriterion] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)


@dataclass
class Buyer:
    """A buyer of the tender: name, ISO 3166-1 alpha-2 country, national registration number."""

    name: str
    country: str | None = None
    national_id: str | None = None  # eForms BT-501; OCDS party identifier


@dataclass
class Winner:
    """A winning tenderer of a lot: eForms efac:Tenderer's organisation, OCDS award supplier."""

    name: str
    country: str | None = None
    org_identifier: str | None = None  # eForms BT-501; OCDS party identifier
    sme: bool | None = None  # None when the notice does not say


@dataclass
class LotResult:
    """The result of one lot: winner-selection status, winners, value, tenders received."""

    lot_id: str
    result_code: str | None = None  # selec-w | clos-nw | open-nw | pending | cancelled
    awarded_value: float | None = None  # the winning tenders' value (BT-720), summed
    currency: str | None = None
    tenders_received: int | None = None  # BT-759 'tenders'; None when not stated
    winners: list[Winner] = field(default_factory=list)

    @property
    def awarded(self) -> bool:
        """Whether a winner was chosen for the lot."""
        return self.result_code == "selec-w"


@dataclass
class NoticeResults:
    """What one award notice (or an OCDS process) says about the results of the procedure."""

    total_value: float | None = None  # eForms BT-161 notice value
    total_currency: str | None = None
    lots: list[LotResult] = field(default_factory=list)
    awarded_on: date | None = None  # contract award (or conclusion) date, else publication


@dataclass
class MviFlag:
    """Why a tender counts as sustainable: a theme (or None) with its evidence."""

    theme: str | None
    kind: str  # "code" (structured field) or "text" (phrase found in a text)
    field: str  # where: e.g. "BT-774 environmental-impact" or "LOT-0001 award criterion 2"
    evidence: str  # the code value or the phrase found

    def as_dict(self) -> dict[str, Any]:
        """The flag as a JSON-ready dict."""
        return {
            "theme": self.theme,
            "kind": self.kind,
            "field": self.field,
            "evidence": self.evidence,
        }


@dataclass
class ReleaseRef:
    """One OCDS release of a contracting process, as a step of its life cycle."""

    release_id: str
    tags: list[str] = field(default_factory=list)
    published_on: date | None = None


@dataclass
class Tender:
    """A tender (one eForms notice, one OCDS contracting process or one CSV row)."""

    source: str  # eforms | ocds | csv
    source_id: str  # eForms notice id, OCDS ocid, or the CSV's own id
    title: str
    description: str = ""
    notice_type: str | None = None
    notice_subtype: str | None = None
    published_on: date | None = None
    language: str | None = None  # ISO 639-1 of the main texts
    languages: list[str] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)  # every language given
    buyers: list[Buyer] = field(default_factory=list)
    cpv_codes: list[str] = field(default_factory=list)  # 8 digits, main first
    procedure_type: str | None = None
    estimated_value: float | None = None
    currency: str | None = None
    lots: list[Lot] = field(default_factory=list)
    strategic_procurement: list[str] = field(default_factory=list)
    environmental_impact: list[str] = field(default_factory=list)
    social_objective: list[str] = field(default_factory=list)
    innovative_acquisition: list[str] = field(default_factory=list)
    gpp_criteria: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # extra texts to scan: field -> text
    sustainability: list[dict[str, Any]] = field(default_factory=list)  # OCDS extension
    changes_notice: str | None = None  # eForms change notice: the notice id it changes
    contract_folder_id: str | None = None
    procedure_id: str | None = None  # eForms BT-04, OCDS ocid, CSV procedure_id (else source_id)
    results: NoticeResults | None = None  # award results, when the notice has any
    releases: list[ReleaseRef] = field(default_factory=list)  # OCDS: the releases imported
    raw_release: dict[str, Any] | None = None  # OCDS: the merged release, kept for merging
    mvi_flags: list[MviFlag] = field(default_factory=list)

    @property
    def buyer_name(self) -> str | None:
        """The first buyer's name."""
        return self.buyers[0].name if self.buyers else None

    @property
    def buyer_country(self) -> str | None:
        """The first buyer's country."""
        return self.buyers[0].country if self.buyers else None

    @property
    def buyer_national_id(self) -> str | None:
        """The first buyer's national registration number."""
        return self.buyers[0].national_id if self.buyers else None

    @property
    def procedure_key(self) -> str:
        """The procedure the notice belongs to: its procedure id or contract folder (BT-04),
        else the notice it changes, else the notice itself."""
        return self.procedure_id or self.contract_folder_id or self.changes_notice or self.source_id

    @property
    def mvi(self) -> bool:
        """Whether any flag marks the tender as sustainable."""
        return bool(self.mvi_flags)

    @property
    def mvi_themes(self) -> list[str]:
        """The MVI themes found, in the order of the six themes."""
        from buyergroups.domain import Theme

        found = {flag.theme for flag in self.mvi_flags if flag.theme}
        return [theme.value for theme in Theme if theme.value in found]


@dataclass
class CpvCode:
    """One entry of the CPV list: code, check digit and labels per language."""

    code: str  # 8 digits (main vocabulary) or e.g. "AA01" (supplementary)
    check_digit: str | None
    labels: dict[str, str]
    kind: str  # main | supplementary
