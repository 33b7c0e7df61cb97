DROP TABLE provider_figures;
