import type { CookieJar } from '../../src/lib/appeals/journeys.ts';

/** A cookie jar for src/lib/appeals/journeys.ts in unit tests: remembers values and the last options set. */
export class TestCookieJar implements CookieJar {
  values = new Map<string, string>();
  options: unknown;
  get(name: string) {
    const value = this.values.get(name);
    return value === undefined ? undefined : { value };
  }
  set(name: string, value: string, options: unknown) {
    this.values.set(name, value);
    this.options = options;
  }
}
