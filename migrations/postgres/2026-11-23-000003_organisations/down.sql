DROP TABLE contracts;
DROP TABLE organisations;
