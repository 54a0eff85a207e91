// A fleet's combinations and rows as typed arrays: sums and pages that match SQLite's tests,
// bits past 32 included, and bounds on what is kept and when it is copied.
import t from 'tap';
import { ComboArrays, RowArrays, sumOf, type ComboRows, type HostRows } from '../../src/store/fleet-arrays.js';
import type { ComboTest } from '../../src/store/filters.js';

const HIGH_BIT = 2 ** 45;
const ROWS: (readonly [number, number, number])[] = [
  [1, 0b101, 10],
  [1, 0b010 + HIGH_BIT, 20],
  [2, 0b100 + HIGH_BIT, 40],
  [2, 2 ** 31, 80],
];
const CODES: Record<string, number> = { default: 1, other: 2 };

/** The table's rows, and a record of each time they are read. */
function table(rows = ROWS, reads: number[] = [], fleet = 0): ComboRows {
  return { size: () => rows.length, rows: () => (reads.push(fleet), rows) };
}

t.test('sums the combinations that pass every test, as SQLite would, bits 31 and past 32 included', async (t) => {
  const arrays = new ComboArrays(100);
  const count = (...tests: Parameters<ComboArrays['count']>[1]) => arrays.count(7, tests, table(), (text) => CODES[text]);
  t.equal(count(), 150, 'no test: every host');
  t.equal(count({ bits: 0b100, set: true }), 50);
  t.equal(count({ bits: 0b100, set: false }), 100);
  t.equal(count({ bits: HIGH_BIT, set: true }), 60);
  t.equal(count({ bits: HIGH_BIT + 0b001, set: true }), 70, 'some of the bits set');
  t.equal(count({ bits: HIGH_BIT, set: false }, { bits: 0b001, set: true }), 10);
  t.equal(count({ bits: 2 ** 31, set: true }), 80);
  t.equal(count({ bits: 2 ** 31 + 1, set: true }), 90);
  t.equal(count({ bits: 2 ** 31 + HIGH_BIT, set: false }), 10);
  t.equal(count({ enterpriseProject: 'other' }), 120);
  t.equal(count({ enterpriseProject: 'default' }, { bits: HIGH_BIT, set: true }), 20);
  t.equal(count({ enterpriseProject: 'unknown' }), 0, 'an enterprise project no host has');
});

t.test('keeps the fleets counted most recently within its bound, and reads a fleet again once forgotten', async (t) => {
  const arrays = new ComboArrays(7, 0);
  const reads: number[] = [];
  const count = (fleet: number) => arrays.count(fleet, [], table(ROWS, reads, fleet), () => undefined);
  count(1);
  count(1);
  t.same(reads, [1], 'kept');
  count(2);
  t.same(reads, [1, 2], 'eight rows pass the bound of seven: fleet 1 goes');
  count(2);
  count(1);
  t.same(reads, [1, 2, 1], 'fleet 1 read again; fleet 2 goes in its turn');
  arrays.forget(1);
  arrays.forget(3);
  count(1);
  t.same(reads, [1, 2, 1, 1], 'forgotten: read again');
  arrays.clear();
  count(1);
  t.same(reads, [1, 2, 1, 1, 1], 'cleared');
});

t.test('each copy counts as 64 rows besides its own: however many empty fleets are counted, few are kept', async (t) => {
  const arrays = new ComboArrays(640);
  const reads: number[] = [];
  const count = (fleet: number) => arrays.count(fleet, [], table([], reads, fleet), () => undefined);
  for (let fleet = 1; fleet <= 11; fleet++) t.equal(count(fleet), 0);
  count(11);
  count(2);
  t.same(reads, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 'ten kept: fleet 1 left as fleet 11 came');
  count(1);
  t.same(reads.slice(11), [1], 'fleet 1 read again');
});

t.test('a fleet with more combinations than the bound is not copied: its count is left to SQL', async (t) => {
  const reads: number[] = [];
  t.equal(new ComboArrays(3).count(1, [], table(ROWS, reads), () => undefined), undefined);
  t.same(reads, [], 'its rows not even read');
});

/** Rows (pos, ep, bits, name) by combination, as the index gives them: with gaps, a row past the fleet's length (an add in progress) and a host without a name. */
const HOST_ROWS: (readonly [number, number, number, string | null])[] = [
  [0, 1, 0b001, 'web-1'],
  [6, 1, 0b001, 'web-3'],
  [9, 1, 0b001, 'web-4'],
  [2, 1, 0b011 + HIGH_BIT, 'db-1'],
  [3, 2, 0b001, null],
  [5, 2, 0b101, 'web-2'],
];

function hostTable(reads: number[] = [], fleet = 0, length = 8): HostRows {
  return { length: () => length, rows: () => (reads.push(fleet), HOST_ROWS) };
}

t.test('pages from rows by position: the matches in order, from a position, past a number of them', async (t) => {
  const arrays = new RowArrays(100);
  const page = (tests: ComboTest[], substring: string | undefined, from = 0, skip = 0, limit = 10) =>
    arrays.page(7, tests, substring, { from, skip, limit, scanned: 8 }, hostTable(), (text) => CODES[text]);
  t.same(page([], undefined), [0, 2, 3, 5, 6], 'every row below the length, none where there is no row');
  t.same(page([{ bits: 0b001, set: true }], undefined, 1, 1, 2), [3, 5], 'from position 1, past one match, two of them');
  t.same(page([{ bits: HIGH_BIT, set: false }, { enterpriseProject: 'default' }], undefined), [0, 6]);
  t.same(page([], 'web'), [0, 5, 6], 'a substring of the name; a host without one never matches');
  t.same(page([{ enterpriseProject: 'other' }], 'web'), [5]);
  t.same(page([{ enterpriseProject: 'unknown' }], undefined), [], 'an enterprise project no host has');
});

t.test('substring counts by combination from rows by position, once they are kept', async (t) => {
  const arrays = new RowArrays(100);
  t.equal(arrays.substringCombos(7, 'web'), undefined, 'not kept: left to SQL');
  arrays.page(7, [], undefined, { from: 0, skip: 0, limit: 1, scanned: 8 }, hostTable(), () => undefined);
  const web = arrays.substringCombos(7, 'web')!;
  t.same([...web.ep], [1, 2], 'only the combinations that hold the substring, once each');
  t.same([...web.hosts], [2, 1], 'web-1 and web-3 (web-4 is past the length), web-2');
  t.equal(sumOf(web, [{ bits: 0b100, set: true }], () => undefined), 1);
  t.same([...arrays.substringCombos(7, 'db')!.high], [HIGH_BIT / 2 ** 32], 'bits past 32');
  t.same([...arrays.substringCombos(7, 'nothing')!.hosts], []);
});

t.test('a fleet is copied once SQL has stepped over as many rows as it has, and forgotten on any change', async (t) => {
  const arrays = new RowArrays(8, 0);
  const reads: number[] = [];
  const page = (fleet: number, scanned: number) => arrays.page(fleet, [], undefined, { from: 0, skip: 0, limit: 1, scanned }, hostTable(reads, fleet), () => undefined);
  t.equal(page(1, 5), undefined, 'five rows stepped over of eight: SQL finds the page');
  t.same(page(1, 3), [0], 'eight: copied');
  t.same(page(1, 0), [0]);
  t.same(reads, [1], 'read once');
  t.same(page(2, 8), [0], 'a second fleet of eight: copied, and the first leaves (sixteen rows pass the bound)');
  t.equal(page(1, 0), undefined, 'the first is stepped over in SQL again');
  arrays.forget(2);
  t.equal(page(2, 7), undefined, 'after a change, stepped over again from nothing');
  page(3, 4);
  for (let fleet = 100; fleet < 1124; fleet++) page(fleet, 1);
  t.equal(page(3, 4), undefined, 'what SQL stepped over in fleets not kept is forgotten past 1024 fleets');
  t.same(page(3, 4), [0]);
  arrays.clear();
  t.equal(page(3, 4), undefined, 'cleared');
  t.equal(new RowArrays(7).page(1, [], undefined, { from: 0, skip: 0, limit: 1, scanned: 100 }, hostTable(reads, 9), () => undefined), undefined, 'a fleet longer than the bound');
  t.equal(arrays.page(4, [], undefined, { from: 0, skip: 0, limit: 1, scanned: 100 }, undefined, () => undefined), undefined, 'no table (an add in progress): not copied');
  t.same(reads, [1, 2, 3], 'each fleet read once a copy has paid for itself, and never one longer than the bound');
});
