// Astro integration: serves nhsuk-frontend's images (icons, favicon) from our own origin.
// The compiled NHS.UK CSS refers to url(/assets/images/…); copying them at build time keeps
// every page free of third-party requests.
import { cpSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const source = join(dirname(require.resolve('nhsuk-frontend/package.json')), 'dist/nhsuk/assets/images');

/** @returns {import('astro').AstroIntegration} */
export default function nhsukAssets() {
  return {
    name: 'fair-hearing:nhsuk-assets',
    hooks: {
      'astro:server:setup': ({ server }) => {
        // astro dev: serve the same files from node_modules.
        server.middlewares.use('/assets/images', (req, res, next) => {
          const file = join(source, (req.url ?? '').split('?')[0].replace(/\.\.+/g, ''));
          import('node:fs').then(({ createReadStream, existsSync }) => {
            if (!existsSync(file)) return next();
            if (file.endsWith('.svg')) res.setHeader('Content-Type', 'image/svg+xml');
            createReadStream(file).pipe(res);
          });
        });
      },
      'astro:build:done': ({ dir }) => {
        cpSync(source, join(fileURLToPath(dir), 'assets/images'), { recursive: true });
      },
    },
  };
}
