// The counts per combination as typed arrays: sums that match SQLite's tests, bits past 32
// included, and a bound on what is kept.
import t from 'tap';
import { ComboArrays, type ComboRows } from '../../src/store/combo-arrays.js';

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
  const arrays = new ComboArrays(7);
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

t.test('a fleet with more combinations than the bound is not copied: its count is left to SQL', async (t) => {
  const reads: number[] = [];
  t.equal(new ComboArrays(3).count(1, [], table(ROWS, reads), () => undefined), undefined);
  t.same(reads, [], 'its rows not even read');
});
