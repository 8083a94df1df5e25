/**
 * @chimera/ues/postgres: the PostgreSQL experience store (needs the optional peer `pg`).
 * Same ExperienceStore interface as the embedded SQLite store.
 */
export { PostgresBlobStore } from './postgres-blob-store';
export { PostgresExperienceStore, type PostgresStoreOptions } from './postgres-experience-store';
