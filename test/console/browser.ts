/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Headless Chromium for the console's tests: Debian's `chromium`, found by path, driven by
// playwright-core (which downloads no browser). Each test gets its own emulator and browser context.
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Test } from 'tap';
import { startHssMock, type HssMock, type HssMockOptions } from '../../src/server/server.js';

export const CHROMIUM = '/usr/bin/chromium';
/** Where each run saves a picture of each view (git-ignored; the current ones are in docs/screenshots/). */
export const SCREENSHOTS = new URL('../../screenshots/', import.meta.url);
export const TOKEN = 'console-test-token';
/** Every wait is for a condition; this only bounds a wait that would otherwise never end. */
const PATIENCE_MS = 60_000;

type Tap = { teardown(fn: () => unknown): void };

/** Chromium, or the reason the browser tests cannot run here. */
export async function launchChromium(): Promise<Browser | string> {
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM}: install Debian's package (apt-get install chromium) to run the console's browser tests`;
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export interface Session {
  mock: HssMock;
  page: Page;
  /** Every URL the page asked for. */
  requested: string[];
  /** The answers to the page's control API calls (its files left out), with the Authorization header it sent. */
  answers: { path: string; status: number; authorization: string | undefined }[];
  /** Errors thrown in the page. */
  pageErrors: string[];
  /** The emulated API, called as a client would (with a token), outside the browser. */
  api(path: string, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  /** Saves a picture of the page as it is now. */
  screenshot(name: string): Promise<void>;
}

export interface ConsoleSetup {
  /** The emulator's options. */
  options?: HssMockOptions;
  /** Where the page opens, e.g. `/_mock/ui/#requests`. */
  path?: string;
  /** Arranges data before the page opens. */
  arrange?: (mock: HssMock) => Promise<unknown>;
  /** Prepares the page before it opens (e.g. routes). */
  prepare?: (page: Page) => Promise<void>;
}

/** An emulator and a page on its console. */
export async function openConsole(t: Tap, browser: Browser, setup: ConsoleSetup = {}): Promise<Session> {
  const mock = await startHssMock(setup.options);
  await setup.arrange?.(mock);
  const context = await browser.newContext({ viewport: { width: 1280, height: 760 } });
  t.teardown(async () => {
    await context.close();
    await mock.close();
  });
  const page = await context.newPage();
  page.setDefaultTimeout(PATIENCE_MS);
  const session: Session = {
    mock,
    page,
    requested: [],
    answers: [],
    pageErrors: [],
    async api(apiPath, headers = { 'X-Auth-Token': TOKEN }) {
      const response = await fetch(`${mock.url}${apiPath}`, { headers });
      return { status: response.status, body: await response.json(), headers: response.headers };
    },
    async screenshot(name) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: new URL(`${name}.png`, SCREENSHOTS).pathname });
    },
  };
  page.on('request', (request) => session.requested.push(request.url()));
  page.on('pageerror', (error) => session.pageErrors.push(error.message));
  page.on('response', (response) => {
    const path = new URL(response.url()).pathname;
    if (path.startsWith('/_mock/') && !path.startsWith('/_mock/ui/')) {
      session.answers.push({ path, status: response.status(), authorization: response.request().headers().authorization });
    }
  });
  await setup.prepare?.(page);
  await page.goto(`${mock.url}${setup.path ?? '/_mock/ui/'}`);
  return session;
}

/** What every page must have done: stayed on its origin, never called the emulated API, thrown nothing. */
export function checkPage(t: Pick<Test, 'same'>, session: Session): void {
  const origin = new URL(session.mock.url).origin;
  t.same(session.requested.filter((url) => new URL(url).origin !== origin), [], 'no request to another origin');
  t.same(session.requested.filter((url) => !new URL(url).pathname.startsWith('/_mock/')), [], 'no call outside /_mock (the emulated API stays untouched)');
  t.same(session.pageErrors, [], 'no error in the page');
}

/**
 * Waits until the table of hosts shows the page of this project and query (parameters in any
 * order), as the page marks it once rendered.
 */
export async function waitForHosts(page: Page, project: string, query: Record<string, string>): Promise<void> {
  await page.waitForFunction(
    ([project, expected]) => {
      const loaded = document.querySelector('#hosts-table')?.getAttribute('data-loaded');
      if (!loaded?.startsWith(`${project}?`)) return false;
      const params = new URLSearchParams(loaded.slice(project.length + 1));
      const wanted = Object.entries(expected);
      return [...params].length === wanted.length && wanted.every(([name, value]) => params.get(name) === value);
    },
    [project, query] as const,
  );
}

/** The host ids of the rows of the hosts table, in order. */
export function tableHostIds(page: Page): Promise<string[]> {
  return page.$$eval('#hosts-table tbody tr', (rows) => rows.map((row) => (row as HTMLElement).dataset.hostId ?? ''));
}

/** The words of a command as a POSIX shell splits them (single quotes, backslash-newline), enough for "copy as curl". */
export function shellWords(command: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < command.length; i += 1) {
    const char = command[i]!;
    if (char === "'") {
      const end = command.indexOf("'", i + 1);
      if (end === -1) throw new Error(`unterminated quote in ${command}`);
      word = (word ?? '') + command.slice(i + 1, end);
      i = end;
    } else if (char === '\\') {
      i += 1;
      if (command[i] !== '\n') word = (word ?? '') + command[i];
    } else if (/\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + char;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}
