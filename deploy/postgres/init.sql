-- Runs once, when the PostgreSQL container starts on an empty data volume (docker-entrypoint-initdb.d).
-- One database per service: NODE_ENV=production never creates databases, and each service applies its own
-- migrations when it starts. The Helm chart's bundled PostgreSQL creates the same five.
CREATE DATABASE reco_ingestion;
CREATE DATABASE reco_feature_store;
CREATE DATABASE reco_training;
CREATE DATABASE reco_recommendation;
CREATE DATABASE reco_dss;
