/**
 * Text matching and ordering that behave the same on both engines (issue 21). SQLite's `like`
 * ignores ASCII case and its text order is by code point (BINARY); PostgreSQL's `like` is
 * case-sensitive and its order follows the database's collation. These fragments give SQLite's
 * behaviour on both, with the SQL SQLite ran before unchanged.
 */
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { DbOrTx } from '../client.ts';
import { isPostgres } from './index.ts';

/** `text` with `%`, `_` and `\` escaped, so it matches only itself inside a likeIgnoringCase pattern. */
export function escapeLike(text: string): string {
  return text.replace(/[%_\\]/g, (c) => `\\${c}`);
}

/**
 * `column` matches the LIKE `pattern` (`%` any run, `_` one character, `\` escapes), ignoring
 * case. SQLite's `like` folds ASCII letters only; PostgreSQL's `ilike` folds every letter its
 * collation knows, so the two differ only on non-ASCII letters (`É` matches `é` there alone).
 */
export function likeIgnoringCase(db: DbOrTx, column: SQLWrapper, pattern: string): SQL {
  return isPostgres(db) ? sql`${column} ilike ${pattern} escape '\\'` : sql`${column} like ${pattern} escape '\\'`;
}

/**
 * A text `column` that sorts code point by code point, as SQLite's BINARY collation does
 * (PostgreSQL's "C" collation compares the UTF-8 bytes, which is the same order), whatever the
 * PostgreSQL database's own collation. For `order by`; with `select distinct`, select it too
 * (PostgreSQL orders a distinct list only by what it selects).
 */
export function byCodePoint(db: DbOrTx, column: SQLWrapper): SQL<string> {
  return isPostgres(db) ? sql<string>`${column} collate "C"` : sql<string>`${column}`;
}
