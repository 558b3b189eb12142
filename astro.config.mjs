// @ts-check
import { defineConfig } from 'astro/config';
import node from '@astrojs/node';
import nhsukAssets from './scripts/nhsuk-assets.mjs';

// Server output through the node adapter in middleware mode: scripts/start.ts owns the HTTP
// server so that start-up work (config check, migrations, first-run link, outbox worker)
// happens before the first request (docs/decisions/002-server-entry.md).
export default defineConfig({
  output: 'server',
  adapter: node({ mode: 'middleware' }),
  integrations: [nhsukAssets()],
  // The origin check is done in src/middleware.ts against the runtime PUBLIC_URL, because this
  // file is read at build time and the public origin is only known at run time.
  security: { checkOrigin: false },
  // Styles in files, never inline, so the Content-Security-Policy needs no 'unsafe-inline'.
  build: { inlineStylesheets: 'never' },
  // Astro's HTML compression drops the space between inline elements on separate lines.
  compressHTML: false,
  markdown: { syntaxHighlight: false },
  devToolbar: { enabled: false },
});
