-- Long lists (workforce, evidence, history) are searched, sorted and paged in SQL.
--
-- People sort by surname, then given names, with titles ("Dr", "Mrs") left out: `sort_name` holds
-- "osei, maya" for "Dr Maya Osei", written with every change of `full_name` by
-- `workforce::rules::sort_name`. Only ASCII letters are lowered and the column compares byte by
-- byte (the "C" collation), as SQLite does, so both backends order people alike whatever the
-- database's locale. The statements below fill the rows there are now the same way
-- (tests/workforce.rs checks the two agree); the surname is the last word.
ALTER TABLE staff ADD COLUMN sort_name TEXT COLLATE "C" NOT NULL DEFAULT '';
-- The given names: everything before the last word.
UPDATE staff SET sort_name = trim(rtrim(trim(full_name), replace(trim(full_name), ' ', '')));
-- Titles off the front, twice over ("Prof Dr").
UPDATE staff SET sort_name = CASE
  WHEN lower(sort_name COLLATE "C") = 'dr' OR lower(sort_name COLLATE "C") LIKE 'dr %' THEN ltrim(substr(sort_name, 3))
  WHEN lower(sort_name COLLATE "C") = 'dr.' OR lower(sort_name COLLATE "C") LIKE 'dr. %' THEN ltrim(substr(sort_name, 4))
  WHEN lower(sort_name COLLATE "C") = 'mr' OR lower(sort_name COLLATE "C") LIKE 'mr %' THEN ltrim(substr(sort_name, 3))
  WHEN lower(sort_name COLLATE "C") = 'mr.' OR lower(sort_name COLLATE "C") LIKE 'mr. %' THEN ltrim(substr(sort_name, 4))
  WHEN lower(sort_name COLLATE "C") = 'mrs' OR lower(sort_name COLLATE "C") LIKE 'mrs %' THEN ltrim(substr(sort_name, 4))
  WHEN lower(sort_name COLLATE "C") = 'mrs.' OR lower(sort_name COLLATE "C") LIKE 'mrs. %' THEN ltrim(substr(sort_name, 5))
  WHEN lower(sort_name COLLATE "C") = 'ms' OR lower(sort_name COLLATE "C") LIKE 'ms %' THEN ltrim(substr(sort_name, 3))
  WHEN lower(sort_name COLLATE "C") = 'ms.' OR lower(sort_name COLLATE "C") LIKE 'ms. %' THEN ltrim(substr(sort_name, 4))
  WHEN lower(sort_name COLLATE "C") = 'miss' OR lower(sort_name COLLATE "C") LIKE 'miss %' THEN ltrim(substr(sort_name, 5))
  WHEN lower(sort_name COLLATE "C") = 'mx' OR lower(sort_name COLLATE "C") LIKE 'mx %' THEN ltrim(substr(sort_name, 3))
  WHEN lower(sort_name COLLATE "C") = 'mx.' OR lower(sort_name COLLATE "C") LIKE 'mx. %' THEN ltrim(substr(sort_name, 4))
  WHEN lower(sort_name COLLATE "C") = 'prof' OR lower(sort_name COLLATE "C") LIKE 'prof %' THEN ltrim(substr(sort_name, 5))
  WHEN lower(sort_name COLLATE "C") = 'prof.' OR lower(sort_name COLLATE "C") LIKE 'prof. %' THEN ltrim(substr(sort_name, 6))
  WHEN lower(sort_name COLLATE "C") = 'professor' OR lower(sort_name COLLATE "C") LIKE 'professor %' THEN ltrim(substr(sort_name, 10))
  WHEN lower(sort_name COLLATE "C") = 'sir' OR lower(sort_name COLLATE "C") LIKE 'sir %' THEN ltrim(substr(sort_name, 4))
  WHEN lower(sort_name COLLATE "C") = 'dame' OR lower(sort_name COLLATE "C") LIKE 'dame %' THEN ltrim(substr(sort_name, 5))
  WHEN lower(sort_name COLLATE "C") = 'rev' OR lower(sort_name COLLATE "C") LIKE 'rev %' THEN ltrim(substr(sort_name, 4))
  WHEN lower(sort_name COLLATE "C") = 'rev.' OR lower(sort_name COLLATE "C") LIKE 'rev. %' THEN ltrim(substr(sort_name, 5))
  WHEN lower(sort_name COLLATE "C") = 'revd' OR lower(sort_name COLLATE "C") LIKE 'revd %' THEN ltrim(substr(sort_name, 5))
  ELSE sort_name END;
UPDATE staff SET sort_name = CASE
  WHEN lower(sort_name COLLATE "C") = 'dr' OR lower(sort_name COLLATE "C") LIKE 'dr %' THEN ltrim(substr(sort_name, 3))
  WHEN lower(sort_name COLLATE "C") = 'dr.' OR lower(sort_name COLLATE "C") LIKE 'dr. %' THEN ltrim(substr(sort_name, 4))
  WHEN lower(sort_name COLLATE "C") = 'mr' OR lower(sort_name COLLATE "C") LIKE 'mr %' THEN ltrim(substr(sort_name, 3))
  WHEN lower(sort_name COLLATE "C") = 'mr.' OR lower(sort_name COLLATE "C") LIKE 'mr. %' THEN ltrim(substr(sort_name, 4))
  WHEN lower(sort_name COLLATE "C") = 'mrs' OR lower(sort_name COLLATE "C") LIKE 'mrs %' THEN ltrim(substr(sort_name, 4))
  WHEN lower(sort_name COLLATE "C") = 'mrs.' OR lower(sort_name COLLATE "C") LIKE 'mrs. %' THEN ltrim(substr(sort_name, 5))
  WHEN lower(sort_name COLLATE "C") = 'ms' OR lower(sort_name COLLATE "C") LIKE 'ms %' THEN ltrim(substr(sort_name, 3))
  WHEN lower(sort_name COLLATE "C") = 'ms.' OR lower(sort_name COLLATE "C") LIKE 'ms. %' THEN ltrim(substr(sort_name, 4))
  WHEN lower(sort_name COLLATE "C") = 'miss' OR lower(sort_name COLLATE "C") LIKE 'miss %' THEN ltrim(substr(sort_name, 5))
  WHEN lower(sort_name COLLATE "C") = 'mx' OR lower(sort_name COLLATE "C") LIKE 'mx %' THEN ltrim(substr(sort_name, 3))
  WHEN lower(sort_name COLLATE "C") = 'mx.' OR lower(sort_name COLLATE "C") LIKE 'mx. %' THEN ltrim(substr(sort_name, 4))
  WHEN lower(sort_name COLLATE "C") = 'prof' OR lower(sort_name COLLATE "C") LIKE 'prof %' THEN ltrim(substr(sort_name, 5))
  WHEN lower(sort_name COLLATE "C") = 'prof.' OR lower(sort_name COLLATE "C") LIKE 'prof. %' THEN ltrim(substr(sort_name, 6))
  WHEN lower(sort_name COLLATE "C") = 'professor' OR lower(sort_name COLLATE "C") LIKE 'professor %' THEN ltrim(substr(sort_name, 10))
  WHEN lower(sort_name COLLATE "C") = 'sir' OR lower(sort_name COLLATE "C") LIKE 'sir %' THEN ltrim(substr(sort_name, 4))
  WHEN lower(sort_name COLLATE "C") = 'dame' OR lower(sort_name COLLATE "C") LIKE 'dame %' THEN ltrim(substr(sort_name, 5))
  WHEN lower(sort_name COLLATE "C") = 'rev' OR lower(sort_name COLLATE "C") LIKE 'rev %' THEN ltrim(substr(sort_name, 4))
  WHEN lower(sort_name COLLATE "C") = 'rev.' OR lower(sort_name COLLATE "C") LIKE 'rev. %' THEN ltrim(substr(sort_name, 5))
  WHEN lower(sort_name COLLATE "C") = 'revd' OR lower(sort_name COLLATE "C") LIKE 'revd %' THEN ltrim(substr(sort_name, 5))
  ELSE sort_name END;
-- Surname first.
UPDATE staff SET sort_name = lower(substr(trim(full_name), length(rtrim(trim(full_name), replace(trim(full_name), ' ', ''))) + 1) COLLATE "C") || CASE WHEN sort_name = '' THEN '' ELSE ', ' || lower(sort_name COLLATE "C") END;
CREATE INDEX staff_by_sort_name ON staff (provider_id, sort_name);

-- A provider's history, newest first, a page at a time (the older index leads with the entity).
CREATE INDEX history_by_organisation_id ON history (organisation_id, id);
