-- Award criteria that an eForms notice sets on a group of lots (GLO-xxxx,
-- BG-330) are stored with each lot of the group, marked with the group id.
-- Empty for a lot's own criteria.
ALTER TABLE tender_award_criteria ADD COLUMN lots_group VARCHAR DEFAULT '';
