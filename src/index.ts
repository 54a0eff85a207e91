// hss-mock as a library: `import { startHssMock } from 'hss-mock'`.
export { startHssMock, type HssMock, type HssMockOptions } from './server/server.js';
export { buildApp, type AppOptions, type LogLevel } from './http/app.js';
export { DEVELOPMENT_KEY, type KeyGrant, type TokenGrant } from './auth/auth.js';
export { StartupError } from './contract/errors.js';
export type { GenerateResult } from './control/control.js';
export type { Host, JournalEntry } from './contract/schemas.js';
