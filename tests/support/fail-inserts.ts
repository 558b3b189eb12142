/**
 * Makes every insert into a table fail with `message`, on either engine, until the returned
 * function is called: for tests that one failing part of a change undoes the whole of it.
 * SQLite: a trigger that raises; PostgreSQL: a trigger calling a function that raises.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { execute, isPostgres } from '../../db/dialect/index.ts';

export async function failInserts(db: Db, table: string, message: string): Promise<() => Promise<void>> {
  const name = `fail_inserts_${table}`;
  // Names and the message come from the test itself, never from input: raw SQL is safe here.
  const text = message.replaceAll("'", "''");
  if (isPostgres(db)) {
    await execute(
      db,
      sql.raw(
        `create function ${name}() returns trigger language plpgsql as $$ begin raise exception '${text}'; end $$`,
      ),
    );
    await execute(
      db,
      sql.raw(`create trigger ${name} before insert on ${table} for each row execute function ${name}()`),
    );
    return async () => {
      await execute(db, sql.raw(`drop trigger ${name} on ${table}`));
      await execute(db, sql.raw(`drop function ${name}()`));
    };
  }
  await execute(
    db,
    sql.raw(`create trigger ${name} before insert on ${table} begin select raise(abort, '${text}'); end`),
  );
  return () => execute(db, sql.raw(`drop trigger ${name}`));
}

/**
 * The messages of `error` and of its causes, one a line: drizzle on PostgreSQL wraps the server's
 * error (whose message is the trigger's) in one that names the failed query.
 */
export function causeMessages(error: unknown): string {
  const messages: string[] = [];
  for (let e = error; e instanceof Error; e = e.cause) messages.push(e.message);
  return messages.join('\n');
}
