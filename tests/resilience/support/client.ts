/**
 * A minimal browser over HTTP for the resilience suite: a cookie jar, the same-origin `Origin`
 * header a browser sends with a form post, redirects not followed (so each 303 can be checked).
 */
export interface HttpResponse {
  status: number;
  location: string | null;
  body: string;
  headers: Headers;
  setCookies: string[];
}

export interface RequestOptions {
  form?: Record<string, string> | [string, string][];
  body?: BodyInit;
  headers?: Record<string, string>;
  /** Overrides the Origin header (null: none at all). */
  origin?: string | null;
}

export class HttpClient {
  readonly cookies = new Map<string, string>();
  constructor(
    readonly baseUrl: string,
    /** Sent as X-Forwarded-For (honoured only by a server with TRUSTED_PROXY). */
    readonly forwardedFor?: string,
  ) {}

  async request(method: string, path: string, options: RequestOptions = {}): Promise<HttpResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (this.forwardedFor) headers['x-forwarded-for'] = this.forwardedFor;
    if (method !== 'GET' && method !== 'HEAD') {
      const origin = options.origin === undefined ? this.baseUrl : options.origin;
      if (origin !== null) headers.origin = origin;
    }
    let body = options.body;
    if (options.form) {
      body = new URLSearchParams(options.form).toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    }
    const res = await fetch(this.baseUrl + path, { method, headers, body, redirect: 'manual' });
    const setCookies = res.headers.getSetCookie();
    for (const cookie of setCookies) {
      const [pair] = cookie.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(cookie)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return {
      status: res.status,
      location: res.headers.get('location'),
      body: await res.text(),
      headers: res.headers,
      setCookies,
    };
  }

  get(path: string, options: RequestOptions = {}): Promise<HttpResponse> {
    return this.request('GET', path, options);
  }

  post(
    path: string,
    form: Record<string, string> | [string, string][],
    options: RequestOptions = {},
  ): Promise<HttpResponse> {
    return this.request('POST', path, { ...options, form });
  }
}

/** The appeal reference on the confirmation page (id="appeal-reference"). */
export function appealReferenceIn(html: string): string | undefined {
  return /id="appeal-reference"[^>]*>([^<]+)</.exec(html)?.[1]?.trim();
}
