-- One database per service (each service owns its schema; migrations run when it starts).
CREATE DATABASE reco_ingestion;
CREATE DATABASE reco_feature_store;
CREATE DATABASE reco_training;
CREATE DATABASE reco_recommendation;
CREATE DATABASE reco_dss;
