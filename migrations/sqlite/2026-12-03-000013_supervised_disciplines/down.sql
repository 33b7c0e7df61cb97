ALTER TABLE profession_rules DROP COLUMN supervised_disciplines;
