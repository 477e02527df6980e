-- 0008: re-importing a notice whose stored content is identical is reported as
-- "unchanged": each tender keeps a hash of what the importer stored (the row, its
-- lots and award criteria), not of the file's bytes. NULL for rows stored
-- before this migration (their next import counts as an update).
ALTER TABLE tenders ADD COLUMN content_hash VARCHAR;

-- Importers used to store NaN and ±Infinity (an OCDS amount of 1e999, NaN or
-- -Infinity), which turn every sum and chart over them into NaN or infinity.
-- Such a value says nothing, so it becomes unknown (NULL). NaN and ±Infinity
-- fail both comparisons, in DuckDB as in PostgreSQL.
UPDATE tenders SET estimated_value = NULL
 WHERE NOT (estimated_value > -1e308 AND estimated_value < 1e308);
UPDATE tender_lots SET estimated_value = NULL
 WHERE NOT (estimated_value > -1e308 AND estimated_value < 1e308);
UPDATE tender_award_criteria SET weight = NULL
 WHERE NOT (weight > -1e308 AND weight < 1e308);
