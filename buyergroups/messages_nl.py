"""Dutch templates of the package's messages (those built with ``errors.msg``).

Kept apart from the interface catalogue in :mod:`buyergroups.i18n`, which
merges them in; placeholders must match the English template.
"""

from __future__ import annotations

# The messages of the work modules: groups, documents, criteria, dialogue, CO2.
WORK: dict[str, str] = {}

# The messages of accounts, access, the database boundary, tenders and search.
PLATFORM: dict[str, str] = {
    "{field} is required.": "{field} is verplicht.",
    "{field} is too long ({length} characters; at most {limit}).": "{field} is te lang ({length} tekens; hooguit {limit}).",
}
