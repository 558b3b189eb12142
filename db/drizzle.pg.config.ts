/**
 * drizzle-kit for the PostgreSQL table set: `npm run db:generate:pg` writes db/migrations-pg/.
 * The SQLite set keeps ./drizzle.config.ts and db/migrations/. Paths are from the project root,
 * where npm runs the script.
 */
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema/pg/index.ts',
  out: './db/migrations-pg',
});
