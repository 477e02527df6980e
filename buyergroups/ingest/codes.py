"""Code translations the parsers need: ISO 3166 alpha-3 → alpha-2, language codes, names."""

from __future__ import annotations

import re

from buyergroups.domain import COUNTRIES

# ISO 3166-1: alpha-3 (as eForms writes countries) → alpha-2 (what we store).
_ALPHA3 = """
AFG AF ALA AX ALB AL DZA DZ ASM AS AND AD AGO AO AIA AI ATA AQ ATG AG ARG AR ARM AM ABW AW
AUS AU AUT AT AZE AZ BHS BS BHR BH BGD BD BRB BB BLR BY BEL BE BLZ BZ BEN BJ BMU BM BTN BT
BOL BO BES BQ BIH BA BWA BW BVT BV BRA BR IOT IO BRN BN BGR BG BFA BF BDI BI CPV CV KHM KH
CMR CM CAN CA CYM KY CAF CF TCD TD CHL CL CHN CN CXR CX CCK CC COL CO COM KM COG CG COD CD
COK CK CRI CR CIV CI HRV HR CUB CU CUW CW CYP CY CZE CZ DNK DK DJI DJ DMA DM DOM DO ECU EC
EGY EG SLV SV GNQ GQ ERI ER EST EE SWZ SZ ETH ET FLK FK FRO FO FJI FJ FIN FI FRA FR GUF GF
PYF PF ATF TF GAB GA GMB GM GEO GE DEU DE GHA GH GIB GI GRC GR GRL GL GRD GD GLP GP GUM GU
GTM GT GGY GG GIN GN GNB GW GUY GY HTI HT HMD HM VAT VA HND HN HKG HK HUN HU ISL IS IND IN
IDN ID IRN IR IRQ IQ IRL IE IMN IM ISR IL ITA IT JAM JM JPN JP JEY JE JOR JO KAZ KZ KEN KE
KIR KI PRK KP KOR KR KWT KW KGZ KG LAO LA LVA LV LBN LB LSO LS LBR LR LBY LY LIE LI LTU LT
LUX LU MAC MO MDG MG MWI MW MYS MY MDV MV MLI ML MLT MT MHL MH MTQ MQ MRT MR MUS MU MYT YT
MEX MX FSM FM MDA MD MCO MC MNG MN MNE ME MSR MS MAR MA MOZ MZ MMR MM NAM NA NRU NR NPL NP
NLD NL NCL NC NZL NZ NIC NI NER NE NGA NG NIU NU NFK NF MKD MK MNP MP NOR NO OMN OM PAK PK
PLW PW PSE PS PAN PA PNG PG PRY PY PER PE PHL PH PCN PN POL PL PRT PT PRI PR QAT QA REU RE
ROU RO RUS RU RWA RW BLM BL SHN SH KNA KN LCA LC MAF MF SPM PM VCT VC WSM WS SMR SM STP ST
SAU SA SEN SN SRB RS SYC SC SLE SL SGP SG SXM SX SVK SK SVN SI SLB SB SOM SO ZAF ZA SGS GS
SSD SS ESP ES LKA LK SDN SD SUR SR SJM SJ SWE SE CHE CH SYR SY TWN TW TJK TJ TZA TZ THA TH
TLS TL TGO TG TKL TK TON TO TTO TT TUN TN TUR TR TKM TM TCA TC TUV TV UGA UG UKR UA ARE AE
GBR GB USA US UMI UM URY UY UZB UZ VUT VU VEN VE VNM VN VGB VG VIR VI WLF WF ESH EH YEM YE
ZMB ZM ZWE ZW XKX XK
"""
ALPHA3_TO_ALPHA2: dict[str, str] = dict(
    zip(_ALPHA3.split()[::2], _ALPHA3.split()[1::2], strict=True)
)
_ALPHA2 = set(ALPHA3_TO_ALPHA2.values())

# Country names as publishers write them (OCDS address.countryName), lower case.
_NAME_TO_ALPHA2: dict[str, str] = {name.lower(): code for code, name in COUNTRIES.items()} | {
    "great britain": "GB",
    "uk": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "the netherlands": "NL",
    "nederland": "NL",
    "holland": "NL",
    "deutschland": "DE",
    "united states": "US",
    "united states of america": "US",
    "usa": "US",
    "sverige": "SE",
    "danmark": "DK",
    "españa": "ES",
    "belgië": "BE",
    "belgique": "BE",
    "österreich": "AT",
    "norge": "NO",
    "suomi": "FI",
    "czech republic": "CZ",
    "schweiz": "CH",
    "suisse": "CH",
}

# eForms languages (ISO 639-2/B style, upper case) → ISO 639-1.
LANGUAGE_3_TO_1: dict[str, str] = {
    "BUL": "bg",
    "CES": "cs",
    "DAN": "da",
    "DEU": "de",
    "ELL": "el",
    "ENG": "en",
    "SPA": "es",
    "EST": "et",
    "FIN": "fi",
    "FRA": "fr",
    "GLE": "ga",
    "HRV": "hr",
    "HUN": "hu",
    "ITA": "it",
    "LIT": "lt",
    "LAV": "lv",
    "MLT": "mt",
    "NLD": "nl",
    "POL": "pl",
    "POR": "pt",
    "RON": "ro",
    "SLK": "sk",
    "SLV": "sl",
    "SWE": "sv",
    "NOR": "no",
    "ISL": "is",
}


def country_alpha2(raw: str | None) -> str | None:
    """An ISO alpha-2 code from an alpha-3 code, an alpha-2 code or a country name."""
    text = (raw or "").strip()
    if not text:
        return None
    upper = text.upper()
    if len(upper) == 3 and upper in ALPHA3_TO_ALPHA2:
        return ALPHA3_TO_ALPHA2[upper]
    if len(upper) == 2 and upper in _ALPHA2:
        return upper
    return _NAME_TO_ALPHA2.get(text.lower())


def language_1(raw: str | None) -> str | None:
    """An ISO 639-1 code from an eForms language code ('ENG') or a 2-letter code."""
    text = (raw or "").strip()
    if not text:
        return None
    if len(text) == 2 and text.isalpha():
        return text.lower()
    return LANGUAGE_3_TO_1.get(text.upper(), text.lower())


_CPV_TEXT = re.compile(r"^\s*(\d{8})(?:\.0+)?(?:-\d)?\s*$")


def cpv8(raw: str | None) -> str | None:
    """The 8-digit CPV code in '45233130', '45233162-2' or '45233130.0'; None if not a code."""
    match = _CPV_TEXT.match(raw or "")
    return match.group(1) if match else None


def unique(values: list[str]) -> list[str]:
    """The values without repeats, first occurrence kept, empties dropped."""
    seen: dict[str, None] = {}
    for entry in values:
        if entry:
            seen.setdefault(entry, None)
    return list(seen)
