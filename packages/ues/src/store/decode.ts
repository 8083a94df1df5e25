import { CURRENT_SCHEMA_VERSION, type Experience } from '../schema/experience-schema';
import { migrateExperience } from '../schema/migrations';

/**
 * A stored body back to an Experience. Bodies were validated when written; ones written under an
 * older schema version are migrated on the way out (the stored bytes are not rewritten).
 */
export function decodeExperience(body: string | object, schemaVersion: number): Experience {
  const record = typeof body === 'string' ? JSON.parse(body) : body;
  return schemaVersion === CURRENT_SCHEMA_VERSION ? (record as Experience) : migrateExperience(record);
}
