// The counts per combination as typed arrays: sums that match SQLite's tests, bits past 32
// included, and a bound on what is kept.
import t from 'tap';
import { ComboArrays } from '../../src/store/combo-arrays.js';

const HIGH_BIT = 2 ** 45;
const ROWS = [
  { ep: 1, bits: 0b101, hosts: 10 },
  { ep: 1, bits: 0b010 + HIGH_BIT, hosts: 20 },
  { ep: 2, bits: 0b100 + HIGH_BIT, hosts: 40 },
];
const CODES: Record<string, number> = { default: 1, other: 2 };

t.test('sums the combinations that pass every test, bits past 32 included', async (t) => {
  const arrays = new ComboArrays(100);
  const count = (...tests: Parameters<ComboArrays['count']>[1]) => arrays.count(7, tests, () => ROWS, (text) => CODES[text]);
  t.equal(count(), 70, 'no test: every host');
  t.equal(count({ bits: 0b100, set: true }), 50);
  t.equal(count({ bits: 0b100, set: false }), 20);
  t.equal(count({ bits: HIGH_BIT, set: true }), 60);
  t.equal(count({ bits: HIGH_BIT + 0b001, set: true }), 70, 'some of the bits set');
  t.equal(count({ bits: HIGH_BIT, set: false }, { bits: 0b001, set: true }), 10);
  t.equal(count({ enterpriseProject: 'other' }), 40);
  t.equal(count({ enterpriseProject: 'default' }, { bits: HIGH_BIT, set: true }), 20);
  t.equal(count({ enterpriseProject: 'unknown' }), 0, 'an enterprise project no host has');
});

t.test('keeps the fleets counted most recently within its bound, and reads a fleet again once forgotten', async (t) => {
  const arrays = new ComboArrays(5);
  const loads: number[] = [];
  const count = (fleet: number) =>
    arrays.count(
      fleet,
      [],
      () => (loads.push(fleet), ROWS),
      () => undefined,
    );
  count(1);
  count(1);
  t.same(loads, [1], 'kept');
  count(2);
  t.same(loads, [1, 2], 'six rows pass the bound of five: fleet 1 goes');
  count(2);
  count(1);
  t.same(loads, [1, 2, 1], 'fleet 1 read again; fleet 2 goes in its turn');
  arrays.forget(1);
  arrays.forget(3);
  count(1);
  t.same(loads, [1, 2, 1, 1], 'forgotten: read again');
  arrays.clear();
  count(1);
  t.same(loads, [1, 2, 1, 1, 1], 'cleared');
});

t.test('a fleet larger than the bound is counted all the same, and kept alone', async (t) => {
  const arrays = new ComboArrays(2);
  t.equal(arrays.count(1, [], () => ROWS, () => undefined), 70);
  t.equal(arrays.count(1, [{ bits: 0b001, set: true }], () => [], () => undefined), 10, 'kept: not read again');
});
