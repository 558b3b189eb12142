/**
 * What a failed statement means, as plain outcomes: the engine's error texts and codes are read
 * only here, so domain code (src/lib) never parses SQL error messages and each engine's reading
 * sits in one place.
 */

/**
 * True when `error` is a unique-constraint violation on `column` ("table.column"), from a unique
 * index, a multi-column one or a partial one, on either engine. drizzle may wrap the driver's
 * error (DrizzleQueryError), so the chain of causes is read too.
 */
export function isUniqueViolation(error: unknown, column: string): boolean {
  return causes(error).some((e) => uniqueColumns(e).includes(column));
}

/** `error` and its causes, the errors among them only. */
function causes(error: unknown): Error[] {
  const chain: Error[] = [];
  for (let e = error; e instanceof Error && !chain.includes(e); e = e.cause) chain.push(e);
  return chain;
}

/** The "table.column" names a unique violation reports, or none when `error` is not one. */
function uniqueColumns(error: Error): string[] {
  return sqliteUniqueColumns(error) ?? postgresUniqueColumns(error) ?? [];
}

/**
 * better-sqlite3 throws SqliteError with code SQLITE_CONSTRAINT_UNIQUE (or
 * SQLITE_CONSTRAINT_PRIMARYKEY) and the message "UNIQUE constraint failed: t.a, t.b".
 */
function sqliteUniqueColumns(error: Error): string[] | undefined {
  const code = (error as { code?: unknown }).code;
  if (code !== 'SQLITE_CONSTRAINT_UNIQUE' && code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') return undefined;
  return /^UNIQUE constraint failed: (.+)$/.exec(error.message)?.[1]?.split(', ') ?? [];
}

/**
 * node-postgres throws DatabaseError with SQLSTATE 23505 (unique_violation, primary keys too) in
 * `code`, the table in `table` and the key in `detail`: "Key (a, b)=(1, x) already exists.".
 */
function postgresUniqueColumns(error: Error): string[] | undefined {
  const { code, table, detail } = error as { code?: unknown; table?: unknown; detail?: unknown };
  if (code !== '23505') return undefined;
  if (typeof table !== 'string' || typeof detail !== 'string') return [];
  const key = /^Key \((.+?)\)=\(/.exec(detail)?.[1];
  return key ? key.split(', ').map((name) => `${table}.${name}`) : [];
}
