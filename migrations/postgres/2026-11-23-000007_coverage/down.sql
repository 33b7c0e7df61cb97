DROP TABLE service_coverage;
