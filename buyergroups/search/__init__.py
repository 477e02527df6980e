"""Similarity search: embeddings, an exact in-memory vector index and hybrid ranking.

Flow: :mod:`indexer` turns criteria, document passages, dialogue takeaways and
tenders into rows of ``search_items`` (text, metadata, vector, model id);
:mod:`index` serves exact top-k from a numpy matrix loaded from those rows;
:mod:`ranking` adds language-neutral bonuses (CPV hierarchy, MVI theme,
criterion type, CPV concepts recognised in text); :mod:`service` ties them
together with the access rules.
"""
