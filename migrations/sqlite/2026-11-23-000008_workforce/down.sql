DROP TABLE supervision_attendees;
DROP TABLE supervision_sessions;
DROP TABLE cpd_records;
DROP TABLE staff;
