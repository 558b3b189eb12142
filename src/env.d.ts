/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    runtime: import('./lib/runtime.ts').Runtime;
    /** The signed-in staff member (set by the staff session middleware from the session cookie). */
    staff?: import('./lib/staff/index.ts').StaffUser;
    /** Set by the HTTP host when the request's body was over its limit (src/server/body-limit.ts). */
    bodyTooLarge?: { limitBytes: number };
  }
}
