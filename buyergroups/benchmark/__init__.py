"""The MVI benchmark (issue 14): per organisation, from real tenders, against ambitions and peers.

* :mod:`~buyergroups.benchmark.corrections` step 2: the buyer's correction of the automatic
  MVI reading, as revisions beside it; the corrected reading every count uses;
* :mod:`~buyergroups.benchmark.realisation` step 3: contract and realisation answers per
  awarded tender, linked to the tender's CO2 estimate and its status;
* :mod:`~buyergroups.benchmark.ambitions` an organisation's action plan per year;
* :mod:`~buyergroups.benchmark.figures` the benchmark's numbers (shares, trend, peers,
  programme-wide);
* :mod:`~buyergroups.benchmark.examples` good examples for Find similar;
* :mod:`~buyergroups.benchmark.report` the yearly report as Word and Excel.

Access: an organisation's own benchmark (its corrections, answers and ambitions) is for its
members and admins; another organisation's corrections and answers are counted in peer
and programme figures, never shown. Peers are named only beside figures read from their
published tenders.
"""
