"""Messages: lists of names folded into one translatable message."""

from __future__ import annotations

from buyergroups.co2.methods import Co2Status
from buyergroups.errors import msg, msg_list
from buyergroups.i18n import translate_message


def test_a_list_reads_in_both_languages() -> None:
    fields = msg_list([msg("title"), msg("body"), msg("weight")])
    assert (str(fields), translate_message(fields, "nl")) == (
        "title, body, weight",
        "titel, tekst, weging",
    )
    statuses = msg_list([Co2Status.EXPECTED, Co2Status.REALISED], "{first} or {second}")
    assert (str(statuses), translate_message(statuses, "nl")) == (
        "Expected or Realised",
        "Verwacht of Gerealiseerd",
    )


def test_one_item_is_the_item_itself() -> None:
    single = msg("body")
    assert msg_list([single]) is single
