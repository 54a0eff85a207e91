// The statements of one schema's tables (`main`, or with a file the in-memory `cache`), prepared
// once: a fleet is in one schema, and every statement about it runs against that schema. A large
// generated fleet may be in a file of its own (fleet-files.ts): its rows there, the registry of
// projects and fleets in the starting fleets' schema (which is `main` when all is in memory).
import type Database from 'better-sqlite3';
import { ROW_COLUMNS } from './rows.js';

export interface FleetRow {
  fleet: number;
  generator: string;
  seed: number;
  generated: number;
  hosts: number;
  nextPos: number;
}

/** What the store calls on a prepared statement (better-sqlite3's statements have it). */
export interface Statement<P extends unknown[], R> {
  run(...params: P): { changes: number };
  get(...params: P): R | undefined;
  all(...params: P): R[];
  iterate(...params: P): IterableIterator<R>;
}

export type Tables = ReturnType<typeof prepareTables>;

/** Every statement of a schema's tables. */
export function prepareTables(db: Database.Database, schema: 'main' | 'cache') {
  return { ...registryStatements(db, schema), ...fleetStatements(db, schema) };
}

/**
 * The statements of a fleet in a database file of its own, attached as `schema`: its rows there,
 * its project, size and garbage mark in `registry` (the starting fleets' tables).
 */
export function fleetFileStatements(db: Database.Database, schema: string, registry: Tables): Tables {
  return { ...registry, ...fleetStatements(db, schema) };
}

/** How a schema's statements are written: table names in the schema, statements prepared on `db`. */
function writer(db: Database.Database, schema: string) {
  return {
    on: (table: string) => `${schema}.${table}`,
    prepare: <P extends unknown[] = unknown[], R = unknown>(sql: string): Statement<P, R> => db.prepare<P, R>(sql),
    /** A statement that gives one column's value. */
    value: <P extends unknown[] = unknown[], R = unknown>(sql: string): Statement<P, R> => db.prepare<P, R>(sql).pluck(),
  };
}

/** Projects, fleets and garbage: which fleets there are, and which project points to which. */
function registryStatements(db: Database.Database, schema: string) {
  const { on, prepare, value } = writer(db, schema);
  return {
    project: prepare<[string], { fleet: number; written: number }>(`SELECT fleet, written FROM ${on('projects')} WHERE project_id = ?`),
    fleet: prepare<[number], FleetRow>(`SELECT fleet, generator, seed, generated, hosts, next_pos AS nextPos FROM ${on('fleets')} WHERE fleet = ?`),
    addFleet: prepare<[number, string, number, number]>(`INSERT INTO ${on('fleets')} (fleet, generator, seed, generated, hosts, next_pos) VALUES (?, ?, ?, ?, 0, 0)`),
    fleetSize: prepare<[number, number, number]>(`UPDATE ${on('fleets')} SET hosts = ?, next_pos = ? WHERE fleet = ?`),
    pointProject: prepare<[string, number, number]>(
      `INSERT INTO ${on('projects')} (project_id, fleet, written, writes) VALUES (?, ?, ?, 0) ON CONFLICT (project_id) DO UPDATE SET fleet = excluded.fleet, written = excluded.written`,
    ),
    markWritten: prepare<[number, string]>(`UPDATE ${on('projects')} SET written = 1, writes = ? WHERE project_id = ?`),
    writes: value<[string], number>(`SELECT writes FROM ${on('projects')} WHERE project_id = ?`),
    deleteProject: prepare<[string]>(`DELETE FROM ${on('projects')} WHERE project_id = ?`),
    unwritten: prepare<[], { project_id: string; fleet: number }>(`SELECT project_id, fleet FROM ${on('projects')} WHERE written = 0`),
    addGarbage: prepare<[number]>(`INSERT OR IGNORE INTO ${on('garbage')} (fleet) VALUES (?)`),
    removeGarbage: prepare<[number]>(`DELETE FROM ${on('garbage')} WHERE fleet = ?`),
    garbage: value<[], number>(`SELECT fleet FROM ${on('garbage')}`),
    lastFleet: value<[], number | null>(`SELECT max(fleet) FROM (SELECT max(fleet) AS fleet FROM ${on('fleets')} UNION ALL SELECT max(fleet) FROM ${on('garbage')})`),
    dropFleet: prepare<[number]>(`DELETE FROM ${on('fleets')} WHERE fleet = ?`),
    /** The schema's size: a fleet's own file is measured by its length. */
    pages: value<[], number>(`PRAGMA ${schema}.page_count`),
    freePages: value<[], number>(`PRAGMA ${schema}.freelist_count`),
  };
}

/** A fleet's rows, documents, counts and dictionary. */
function fleetStatements(db: Database.Database, schema: string) {
  const { on, prepare, value } = writer(db, schema);
  /** The hosts of a fleet whose name holds a substring, by combination, as rows of (ep, bits, hosts); `bound` adds a condition. */
  const substringCombos = <P extends unknown[]>(bound: string): Statement<P, [number, number, number]> =>
    db.prepare<P, [number, number, number]>(`SELECT ep, bits, count(*) FROM ${on('hosts')} INDEXED BY hosts_combo WHERE fleet = ? AND instr(name, ?) > 0 ${bound} GROUP BY ep, bits`).raw() as Statement<P, [number, number, number]>;
  return {
    schema,
    insertHost: prepare(`INSERT INTO ${on('hosts')} (${ROW_COLUMNS.join(', ')}) VALUES (${ROW_COLUMNS.map(() => '?').join(', ')}) ON CONFLICT (fleet, host_id) DO NOTHING`),
    insertDoc: prepare<[number, number, string]>(`INSERT INTO ${on('docs')} (fleet, pos, doc) VALUES (?, ?, ?) ON CONFLICT (fleet, pos) DO UPDATE SET doc = excluded.doc`),
    hostByHostId: prepare<[number, string], { pos: number; bits: number; ep: number }>(`SELECT pos, bits, ep FROM ${on('hosts')} WHERE fleet = ? AND host_id = ?`),
    deleteHost: prepare<[number, number]>(`DELETE FROM ${on('hosts')} WHERE fleet = ? AND pos = ?`),
    deleteDoc: prepare<[number, number]>(`DELETE FROM ${on('docs')} WHERE fleet = ? AND pos = ?`),
    comboCount: value<[number], number>(`SELECT count(*) FROM ${on('combos')} WHERE fleet = ?`),
    combos: db.prepare<[number], [number, number, number]>(`SELECT ep, bits, hosts FROM ${on('combos')} WHERE fleet = ?`).raw() as Statement<[number], [number, number, number]>,
    countCombo: prepare<[number, number, number, number]>(
      `INSERT INTO ${on('combos')} (fleet, ep, bits, hosts) VALUES (?, ?, ?, ?) ON CONFLICT (fleet, ep, bits) DO UPDATE SET hosts = hosts + excluded.hosts`,
    ),
    findCode: value<[number, number, string], number>(`SELECT code FROM ${on('texts')} WHERE fleet = ? AND kind = ? AND text = ?`),
    lastCode: value<[number, number], number | null>(`SELECT max(code) FROM ${on('texts')} WHERE fleet = ? AND kind = ?`),
    addText: prepare<[number, number, number, string]>(`INSERT INTO ${on('texts')} (fleet, kind, code, text) VALUES (?, ?, ?, ?)`),
    hostRows: db.prepare<[number], [number, number, number, string | null]>(`SELECT pos, ep, bits, name FROM ${on('hosts')} INDEXED BY hosts_combo WHERE fleet = ?`).raw() as Statement<
      [number],
      [number, number, number, string | null]
    >,
    positions: value<[number, number, number, number], number>(`SELECT pos FROM ${on('hosts')} WHERE fleet = ? AND pos >= ? AND pos < ? ORDER BY pos LIMIT ?`),
    docsAt: prepare<[number, string], { pos: number; doc: string }>(`SELECT pos, doc FROM ${on('docs')} WHERE fleet = ? AND pos IN (SELECT value FROM json_each(?))`),
    dropRows: prepare<[number, number, number]>(`DELETE FROM ${on('hosts')} WHERE fleet = ? AND pos >= ? AND pos < ?`),
    dropDocs: prepare<[number, number, number]>(`DELETE FROM ${on('docs')} WHERE fleet = ? AND pos >= ? AND pos < ?`),
    maxPos: value<[number], number | null>(`SELECT max(pos) FROM ${on('hosts')} WHERE fleet = ?`),
    maxDocPos: value<[number], number | null>(`SELECT max(pos) FROM ${on('docs')} WHERE fleet = ?`),
    dropCombos: prepare<[number]>(`DELETE FROM ${on('combos')} WHERE fleet = ?`),
    dropTexts: prepare<[number]>(`DELETE FROM ${on('texts')} WHERE fleet = ?`),
    substringCombos: substringCombos<[number, string]>(''),
    substringCombosBelow: substringCombos<[number, string, number]>('AND pos < ?'),
  };
}
