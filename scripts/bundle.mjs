// Bundles the compiled command (dist/cli.js) and what it imports into one file,
// dist/bundle/hss-mock.mjs: the `hss-mock` command, `npm start` and the container image run it.
// Node.js 20 spends more time finding and reading the ~1,000 small files of Fastify, Ajv and
// TypeBox than running them; from one file the emulator answers its first request in about
// 60% of the time. The library (dist/index.js) stays unbundled: its users bundle as they like.
//
// Left out, loaded from node_modules when used: better-sqlite3 (a native addon), and what only
// some runs need (the OpenAPI generator, pretty logs for a terminal).
//
// pino's transports (never used here) would not work from the bundle: they need __dirname.
//
// The bundle lives two folders below the package, like dist/http/*.js: the files it finds
// relative to its own module (package.json, the console's files) resolve the same.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/cli.js'],
  outfile: 'dist/bundle/hss-mock.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3', '@fastify/swagger', 'pino-pretty'],
  // CommonJS dependencies require Node's own modules; an ES module has no `require` of its own.
  banner: { js: "import { createRequire as createRequireOfBundle } from 'node:module';\nconst require = createRequireOfBundle(import.meta.url);" },
  // Leads coverage and stack traces (node --enable-source-maps) back to src/ through dist's own maps.
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'warning',
});
