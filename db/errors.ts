/**
 * What a failed statement means, as plain outcomes: the engine's error texts and codes are read
 * only here, so domain code (src/lib) never parses SQL error messages and a second engine adds
 * its own reading in one place.
 */

/**
 * True when `error` is a unique-constraint violation on `column` ("table.column"), from a unique
 * index or a partial one. better-sqlite3 throws SqliteError with code SQLITE_CONSTRAINT_UNIQUE
 * (or SQLITE_CONSTRAINT_PRIMARYKEY) and the message "UNIQUE constraint failed: t.a, t.b".
 */
export function isUniqueViolation(error: unknown, column: string): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (code !== 'SQLITE_CONSTRAINT_UNIQUE' && code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') return false;
  const columns = /^UNIQUE constraint failed: (.+)$/.exec(error.message)?.[1]?.split(', ') ?? [];
  return columns.includes(column);
}
