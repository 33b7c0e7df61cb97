-- Which of a profession entry's disciplines must attend clinical supervision (a JSON list).
ALTER TABLE profession_rules ADD COLUMN supervised_disciplines TEXT NOT NULL DEFAULT '[]';
