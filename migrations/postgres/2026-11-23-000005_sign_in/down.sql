DROP TABLE sign_in_failures;
DROP TABLE instance_secrets;
