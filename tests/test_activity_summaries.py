"""The summaries the system writes in the activity log and revision histories, in two languages."""

from __future__ import annotations

import pytest

from buyergroups import activity, criteria, groups, versioned
from buyergroups.accounts import manage
from buyergroups.co2 import estimates
from buyergroups.domain import OrganisationRole, Status
from buyergroups.i18n import translate_message
from tests.factories import make_criterion


def _dutch(text: str) -> str:
    return translate_message(text, "nl")


def test_edits_and_status_changes_read_in_dutch_while_titles_stay_as_written(conn, world) -> None:
    # A title that looks like a summary the system writes is content: it stays as written.
    crit = make_criterion(conn, world.member, world.group_a, title="Signed out")
    versioned.change_status(conn, criteria.KIND, world.member, crit, "in_review")
    criteria.save_criterion(conn, world.member, crit, 1, weight=35)
    entries = groups.group_activity(conn, world.member, world.group_a)[:3]
    assert [(e["action"], e["summary"]) for e in entries] == [
        ("edit", "revision 2"),
        ("status", "draft → in review"),
        ("create", "Signed out"),
    ]
    assert [_dutch(activity.entry_summary(e)) for e in entries] == [
        "versie 2",
        "concept → in review",
        "Signed out",
    ]
    history = versioned.history(conn, criteria.KIND, world.member, crit)
    assert [(r["summary"], _dutch(activity.read_summary(r["summary"]))) for r in history] == [
        ("edited", "bewerkt"),
        ("created", "aangemaakt"),
    ]


def test_account_changes_read_in_dutch(conn, world) -> None:
    manage.change_language(conn, world.admin, world.member.id, "nl")
    manage.disable_user(conn, world.admin, world.member.id)
    entry = next(
        e
        for e in activity.entries(conn.cursor(), user_id=world.admin.id)
        if e["action"] == "disable"
    )
    assert (entry["summary"], _dutch(activity.entry_summary(entry))) == (
        f"Disabled {world.member.email}",
        f"{world.member.email} geblokkeerd",
    )


@pytest.mark.parametrize(
    ("stored", "english", "dutch"),
    [
        # rows written before the summaries were messages read the same way
        ("draft → in_review", "draft → in review", "concept → in review"),
        (
            "organisation as front_runner",
            "organisation as front runner",
            "organisatie als koploper",
        ),
        (
            "revision 4 (merged with another edit)",
            "revision 4 (merged with another edit)",
            "versie 4 (samengevoegd met een andere bewerking)",
        ),
        (
            "status expected → contracted",
            "status expected → contracted",
            "status verwacht → gecontracteerd",
        ),
        ("Signed in (oidc)", "Signed in (oidc)", "Ingelogd (via de organisatie)"),
        (
            "kpi.csv: 3 imported, 1 updated",
            "kpi.csv: 3 imported, 1 updated",
            "kpi.csv: 3 geïmporteerd, 1 bijgewerkt",
        ),
        (
            "kpi.csv: 3 imported, 1 updated, 2 unchanged",
            "kpi.csv: 3 imported, 1 updated, 2 unchanged",
            "kpi.csv: 3 geïmporteerd, 1 bijgewerkt, 2 ongewijzigd",
        ),
        ("restored revision 2", "restored revision 2", "versie 2 teruggezet"),
        # anything else is shown as stored
        ("draft → finished", "draft → finished", "draft → finished"),
        ("A note someone wrote", "A note someone wrote", "A note someone wrote"),
    ],
)
def test_stored_summaries_are_read_back_as_messages(stored, english, dutch) -> None:
    assert estimates.ITEM_KIND == "co2_estimate"  # imported: it registers the CO2 status note
    read = activity.read_summary(stored)
    assert (translate_message(read, "en"), translate_message(read, "nl")) == (english, dutch)


def test_a_summary_is_made_from_a_known_template_only() -> None:
    made = activity.summary("organisation as {role:lower}", role=OrganisationRole.FRONT_RUNNER)
    assert (made, activity.read_summary(made).values) == (
        "organisation as front runner",
        {"role": OrganisationRole.FRONT_RUNNER},
    )
    assert activity.summary("{old:lower} → {new:lower}", old=Status.DRAFT, new=Status.AGREED) == (
        "draft → agreed"
    )
    with pytest.raises(KeyError):
        activity.summary("something {new}", new=1)
