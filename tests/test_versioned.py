import pytest

from buyergroups import comments, criteria, documents, versioned
from buyergroups.errors import NotFoundError, StaleEditError, ValidationError
from buyergroups.i18n import translate_message
from tests.factories import make_criterion, make_document


def test_create_edit_stale_refused_restore(conn, world) -> None:
    doc = make_document(conn, world.member, world.group_a, body="intro\nmiddle\nend")
    assert documents.get_document(conn, world.member, doc)["current_revision"] == 1

    first = documents.save_document(conn, world.member, doc, 1, body="intro\nMIDDLE\nend")
    assert first == versioned.SaveOutcome(revision_no=2, merged=False)

    with pytest.raises(StaleEditError) as refused:
        documents.save_document(conn, world.facilitator, doc, 1, body="intro\nmiddle (other)\nend")
    assert refused.value.current_revision == 2
    assert refused.value.mine["body"] == "intro\nmiddle (other)\nend"
    assert refused.value.theirs["body"] == "intro\nMIDDLE\nend"
    assert documents.get_document(conn, world.member, doc)["body"] == "intro\nMIDDLE\nend"

    restored = versioned.restore_revision(conn, documents.KIND, world.member, doc, 1, based_on=2)
    assert restored.revision_no == 3
    assert documents.get_document(conn, world.member, doc)["body"] == "intro\nmiddle\nend"
    history = versioned.history(conn, documents.KIND, world.member, doc)
    assert [(h["revision_no"], h["based_on"], h["summary"]) for h in history] == [
        (3, 2, "restored revision 1"),
        (2, 1, "edited"),
        (1, None, "created"),
    ]


def test_edits_to_different_parts_merge_three_way(conn, world) -> None:
    doc = make_document(conn, world.member, world.group_a, body="a\nb\nc\nd\ne")
    documents.save_document(conn, world.member, doc, 1, body="A\nb\nc\nd\ne")
    outcome = documents.save_document(conn, world.facilitator, doc, 1, body="a\nb\nc\nd\nE")
    assert outcome == versioned.SaveOutcome(revision_no=3, merged=True)
    assert documents.get_document(conn, world.member, doc)["body"] == "A\nb\nc\nd\nE"


def test_structured_fields_merge_and_conflict(conn, world) -> None:
    crit = make_criterion(conn, world.member, world.group_a)
    criteria.save_criterion(conn, world.member, crit, 1, weight=25)
    merged = criteria.save_criterion(conn, world.facilitator, crit, 1, ambition_level="ambitious")
    assert merged.merged is True
    current = criteria.get_criterion(conn, world.member, crit)
    assert (current["weight"], current["ambition_level"]) == (25.0, "ambitious")
    with pytest.raises(StaleEditError, match="weight"):
        criteria.save_criterion(conn, world.facilitator, crit, 1, weight=30)


def test_unchanged_save_adds_no_revision(conn, world) -> None:
    doc = make_document(conn, world.member, world.group_a)
    outcome = documents.save_document(conn, world.member, doc, 1, title="Market vision")
    assert outcome == versioned.SaveOutcome(revision_no=1, merged=False)


def test_status_flow_and_visibility(conn, world) -> None:
    crit = make_criterion(conn, world.member, world.group_a)
    with pytest.raises(ValidationError, match="can move to: In review"):
        versioned.change_status(conn, criteria.KIND, world.member, crit, "published")
    versioned.change_status(conn, criteria.KIND, world.member, crit, "in_review")
    with pytest.raises(ValidationError) as caught:
        versioned.change_status(conn, criteria.KIND, world.member, crit, "published")
    message = caught.value.args[0]
    assert (translate_message(message, "en"), translate_message(message, "nl")) == (
        "A criterion that is in review can move to: Agreed, Draft.",
        "Een criterium met de status in review kan naar: Vastgesteld, Concept.",
    )
    versioned.change_status(conn, criteria.KIND, world.member, crit, "agreed")
    versioned.change_status(conn, criteria.KIND, world.facilitator, crit, "published")
    item = criteria.get_criterion(conn, world.outsider, crit)
    assert (item["status"], item["visibility"]) == ("published", "published")
    versioned.change_status(conn, criteria.KIND, world.facilitator, crit, "agreed")
    with pytest.raises(Exception, match="may not read"):
        criteria.get_criterion(conn, world.outsider, crit)


def test_soft_delete_and_restore(conn, world) -> None:
    doc = make_document(conn, world.member, world.group_a)
    versioned.soft_delete(conn, documents.KIND, world.facilitator, doc)
    assert documents.list_documents(conn, world.member, world.group_a) == []
    with pytest.raises(NotFoundError):
        documents.get_document(conn, world.member, doc)
    deleted = versioned.deleted_items(conn, documents.KIND, world.facilitator, world.group_a)
    assert [d["id"] for d in deleted] == [doc]
    versioned.undelete(conn, documents.KIND, world.facilitator, doc)
    assert [d["id"] for d in documents.list_documents(conn, world.member, world.group_a)] == [doc]


def test_comments(conn, world) -> None:
    doc = make_document(conn, world.member, world.group_a)
    comments.add_comment(conn, world.facilitator, "document", doc, "Please add the CO2 ladder.")
    listed = comments.list_comments(conn, world.observer, "document", doc)
    assert [(c["author"], c["body"]) for c in listed] == [
        ("Fay Facilitator", "Please add the CO2 ladder.")
    ]


def test_criterion_validation_messages(conn, world) -> None:
    with pytest.raises(ValidationError, match="needs a weight"):
        make_criterion(conn, world.member, world.group_a, weight=None)
    with pytest.raises(ValidationError, match="Only award criteria"):
        make_criterion(conn, world.member, world.group_a, criterion_type="selection", weight=10)
    with pytest.raises(ValidationError, match="at most 100"):
        make_criterion(conn, world.member, world.group_a, weight=120)
    with pytest.raises(ValidationError, match="theme"):
        make_criterion(conn, world.member, world.group_a, theme="happiness")
    with pytest.raises(ValidationError, match="CPV code"):
        make_criterion(conn, world.member, world.group_a, cpv_codes=["4500"])
    assert criteria.list_criteria(conn, world.member, world.group_a) == []


def test_weight_warning_in_both_languages(conn, world) -> None:
    make_criterion(conn, world.member, world.group_a, weight=60, title="Price")
    make_criterion(conn, world.member, world.group_a, weight=27.5)
    warning = criteria.weight_warning(criteria.list_criteria(conn, world.member, world.group_a))
    assert (translate_message(warning, "en"), translate_message(warning, "nl")) == (
        "The award criteria's weights add up to 87.5%, not 100%.",
        "De wegingen van de gunningscriteria tellen op tot 87,5%, niet tot 100%.",
    )
    make_criterion(conn, world.member, world.group_a, weight=12.5, title="Circular")
    assert (
        criteria.weight_warning(criteria.list_criteria(conn, world.member, world.group_a)) is None
    )


def test_reuse_sets_derived_from_and_credits_source(conn, world) -> None:
    source = make_criterion(conn, world.member, world.group_a)
    versioned.change_status(conn, criteria.KIND, world.member, source, "in_review")
    versioned.change_status(conn, criteria.KIND, world.member, source, "agreed")
    versioned.change_status(conn, criteria.KIND, world.facilitator, source, "published")
    copy = criteria.reuse(conn, world.outsider, source, world.group_b)
    reused = criteria.get_criterion(conn, world.outsider, copy)
    assert (reused["derived_from"], reused["status"], reused["group_id"]) == (
        source,
        "draft",
        world.group_b,
    )
    assert criteria.reuse_count(conn, source) == {"groups": 1, "countries": 1}
    origin = criteria.provenance(conn, world.outsider, copy)["source"]
    assert (origin["id"], origin["group_name"]) == (source, "Group A")


def test_reuse_passage_copies_one_passage_with_credit(conn, world) -> None:
    body = (
        "# Ambition\n\nAll viaducts circular by 2030.\n\n# Dialogue\n\nSuppliers asked for clarity."
    )
    source = documents.create_document(
        conn, world.member, world.group_a, "market_vision", title="Vision", body=body, language="en"
    )
    for status in ("in_review", "agreed"):
        versioned.change_status(conn, documents.KIND, world.member, source, status)
    versioned.change_status(conn, documents.KIND, world.facilitator, source, "published")
    copy = documents.reuse_passage(conn, world.outsider, source, 2, world.group_b)
    stored = documents.get_document(conn, world.outsider, copy)
    assert (stored["title"], stored["body"], stored["derived_from"], stored["status"]) == (
        "Vision — Dialogue",
        "Suppliers asked for clarity.\n\n_Reused from “Vision” of Group A._",
        source,
        "draft",
    )
    with pytest.raises(ValidationError, match="no passage 3"):
        documents.reuse_passage(conn, world.outsider, source, 3, world.group_b)
