// hss-mock as a library: `import { startHssMock } from 'hss-mock'`.
export { startHssMock, type HssMock, type HssMockOptions } from './server.js';
export { buildApp, type AppOptions, type LogLevel } from './app.js';
export { DEVELOPMENT_KEY, type KeyGrant, type TokenGrant } from './auth.js';
export { StartupError } from './errors.js';
export type { GenerateResult } from './control.js';
export type { Host, JournalEntry } from './schemas.js';
