// What the worker thread that builds a generated fleet's database file does, for fleet-files.ts.
// The fleet's positions are claimed a block at a time by the main thread (from the start) and by
// this one (from the end), through a word they share: each draws the hosts of its blocks. This
// thread inserts every row, its own and those the main thread sends (whose dictionary codes it
// maps to the file's), into tables without indexes on hosts, 64 rows a statement (about 2 µs a
// row, where one a statement costs 4), counts the combinations, then builds the indexes (about
// 4 µs a row; kept while inserting, even the cheapest cost more than that) and closes the file.
import Database from 'better-sqlite3';
import type { MessagePort } from 'node:worker_threads';
import type { Host } from '../contract/schemas.js';
import { CODED_COLUMNS } from './filters.js';
import { countCombo, Dictionary, newTexts, ROW_COLUMNS, type Combos } from './rows.js';

/** What a build does: the file, its statements, and the fleet. */
export interface BuildPlan {
  path: string;
  /** Creates the tables. */
  tables: string;
  /** Creates the indexes, once every row is in. */
  indexes: string;
  fleet: number;
  /** Hosts of the fleet: positions 0 to count - 1. */
  count: number;
  /** The blocks of positions not claimed yet (see `claims`), in shared memory. */
  claims: SharedArrayBuffer;
  /** Where this thread gets the fleet's hosts (none: the main thread draws them all). */
  generator?: { module: string; seed: number; name: string };
}

/** A module that makes generated hosts (src/fleet/generator.ts): host `pos` of the fleet of (seed, name). */
export interface GeneratorModule {
  HostFactory: new (seed: number, name: string) => { host(pos: number): Host };
}

/**
 * Rows the main thread drew, their values one after another in `hosts` with codes of its own
 * dictionary, and the texts new to it (answered `written`); or the end of its rows (answered
 * `built`, with the counts of every combination, once the file is built; then the port closes).
 */
export type BuildMessage = { hosts: unknown[]; texts: unknown[][] } | 'end';
export type BuildReply = 'written' | { built: Combos };

/** Positions a thread claims at a time: about 5 ms of drawing. */
export const ROWS_A_CLAIM = 1024;
/** Rows one insert statement takes (at most 32,766 values). */
const ROWS_A_STATEMENT = 64;
const COLUMNS = ROW_COLUMNS.length;
const EP = ROW_COLUMNS.indexOf('ep');
const BITS = ROW_COLUMNS.indexOf('bits');
const CODED = CODED_COLUMNS.map((column) => ROW_COLUMNS.indexOf(column));

/**
 * The blocks of `ROWS_A_CLAIM` positions of a fleet of `count` hosts that are not claimed yet, in
 * one 32-bit word both threads change atomically: the first in the low 16 bits, the one after
 * the last in the high 16 (a fleet of 2,000,000 has 1,954). The main thread claims from the
 * start, the worker from the end: each thread's rows are in order, appended to the table rather
 * than inserted between the other's (which cost twice as much).
 */
export function claims(count: number): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(4);
  new Int32Array(buffer)[0] = Math.ceil(count / ROWS_A_CLAIM) << 16;
  return buffer;
}

/** The first position of the next block to draw, from the start or from the end; undefined once every block is claimed. */
export function claim(buffer: SharedArrayBuffer, from: 'start' | 'end'): number | undefined {
  const word = new Int32Array(buffer);
  for (;;) {
    const blocks = Atomics.load(word, 0);
    const first = blocks & 0xffff;
    const end = blocks >>> 16;
    if (first >= end) return undefined;
    const [block, rest] = from === 'start' ? [first, (first + 1) | (end << 16)] : [end - 1, first | ((end - 1) << 16)];
    if (Atomics.compareExchange(word, 0, blocks, rest) === blocks) return block * ROWS_A_CLAIM;
  }
}

/**
 * Builds the file of `plan` from the messages of `port`, drawing hosts with `draw` (none: the
 * main thread draws them all).
 */
export function serveBuild(plan: BuildPlan, port: Pick<MessagePort, 'on' | 'postMessage' | 'close'>, draw?: (pos: number) => Host): void {
  const db = new Database(plan.path);
  // Nobody reads the file until it is built, and a build that fails deletes it: no journal, no sync.
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('temp_store = MEMORY');
  db.exec(plan.tables);
  const insertRows = (rows: number) => db.prepare(`INSERT INTO hosts (${ROW_COLUMNS.join(', ')}) VALUES ${Array(rows).fill(`(${ROW_COLUMNS.map(() => '?').join(', ')})`).join(', ')}`);
  const insertMany = insertRows(ROWS_A_STATEMENT);
  const insertOne = insertRows(1);
  const dictionary = new Dictionary(plan.fleet, newTexts(db.prepare('INSERT INTO texts (fleet, kind, code, text) VALUES (?, ?, ?, ?)')));
  /** The file's code of each of the main thread's codes, by kind. */
  const fromMain = CODED_COLUMNS.map(() => [0]);
  const combos: Combos = new Map();

  const insertValues = (hosts: unknown[]) => {
    let at = 0;
    for (const many = ROWS_A_STATEMENT * COLUMNS; at + many <= hosts.length; at += many) insertMany.run(...hosts.slice(at, at + many));
    for (; at < hosts.length; at += COLUMNS) insertOne.run(...hosts.slice(at, at + COLUMNS));
  };
  const insertOwn = db.transaction(insertValues);
  const insertMain = db.transaction((hosts: unknown[], texts: unknown[][]) => {
    for (const [, kind, code, text] of texts as [number, number, number, string][]) fromMain[kind]![code] = dictionary.code(kind, text);
    for (let at = 0; at < hosts.length; at += COLUMNS) {
      CODED.forEach((column, kind) => (hosts[at + column] = fromMain[kind]![hosts[at + column] as number]));
      countCombo(combos, hosts[at + EP] as number, hosts[at + BITS] as number);
    }
    insertValues(hosts);
  });

  let mainDone = false;
  let drawn = draw === undefined;
  const finishIfDone = () => {
    if (!mainDone || !drawn) return;
    db.exec(plan.indexes);
    db.close();
    port.postMessage({ built: combos } satisfies BuildReply);
    port.close();
  };
  // A block at a time, letting the main thread's rows in between.
  const drawBlock = (draw: (pos: number) => Host) => {
    const start = claim(plan.claims, 'end');
    if (start === undefined) {
      drawn = true;
      return finishIfDone();
    }
    const hosts: unknown[] = [];
    for (let pos = start; pos < Math.min(start + ROWS_A_CLAIM, plan.count); pos++) {
      const { values, ep, bits } = dictionary.row(pos, draw(pos));
      for (const value of values) hosts.push(value);
      countCombo(combos, ep, bits);
    }
    insertOwn(hosts);
    setImmediate(drawBlock, draw);
  };
  if (draw) setImmediate(drawBlock, draw);

  port.on('message', (message: BuildMessage) => {
    if (message !== 'end') {
      insertMain(message.hosts, message.texts);
      port.postMessage('written' satisfies BuildReply);
      return;
    }
    mainDone = true;
    finishIfDone();
  });
}
