DROP INDEX history_by_organisation_id;
DROP INDEX staff_by_sort_name;
ALTER TABLE staff DROP COLUMN sort_name;
