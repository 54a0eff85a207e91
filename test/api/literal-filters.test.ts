// Every string filter takes its value literally: SQL, LIKE and FTS syntax, quotes, NUL, very long
// and non-ASCII values match exactly the hosts that hold them, and nothing else.
import t from 'tap';
import type { Host } from '../../src/contract/schemas.js';
import { listHosts, testApp } from '../helpers.js';

const PAYLOADS = [
  "'",
  '%',
  '_',
  '"',
  '*',
  '--',
  ';',
  '\\',
  '\0',
  "' OR '1'='1",
  "%' OR 1=1 --",
  '"; DROP TABLE hosts; --',
  'a%b_c',
  'NEAR(a b)',
  '[x]',
  'é主机🙂',
  'x\0y',
];

/** Filters and the host field each one reads; `contains` for host_name, a label for label. */
const FILTERS: [parameter: string, field: keyof Host, max: number][] = [
  ['host_name', 'host_name', 128],
  ['host_id', 'host_id', 64],
  ['private_ip', 'private_ip', 128],
  ['public_ip', 'public_ip', 128],
  ['ip_addr', 'public_ip', 128],
  ['group_id', 'group_id', 64],
  ['group_name', 'group_name', 64],
  ['server_group', 'group_name', 64],
  ['policy_group_id', 'policy_group_id', 128],
  ['policy_group_name', 'policy_group_name', 128],
  ['enterprise_project_id', 'enterprise_project_id', 128],
  ['label', 'labels', 64],
];

for (const [parameter, field, max] of FILTERS) {
  t.test(`${parameter}: special values match literally`, async (t) => {
    const app = testApp(t);
    const values = [...PAYLOADS, 'L'.repeat(max), 'plain'];
    // One host for each value, plus hosts whose value only resembles it; resource_id names them.
    const stored = (value: string) => (field === 'labels' ? [value] : value);
    const hosts: Host[] = values.flatMap((value, i) => [
      { resource_id: `id-${i}`, [field]: stored(value) },
      { resource_id: `near-${i}`, [field]: stored(`x${value}x`.slice(0, max)) },
    ]);
    const put = await app.inject({ method: 'PUT', url: '/_mock/projects/p/hosts', payload: hosts });
    t.equal(put.statusCode, 200, put.body.slice(0, 200));
    for (const [i, value] of values.entries()) {
      const everyProject = parameter === 'enterprise_project_id' ? '' : '&enterprise_project_id=all_granted_eps';
      const query = `${parameter}=${encodeURIComponent(value)}${everyProject}&limit=200`;
      const { status, body } = await listHosts(app, query, undefined, '/v5/p/host-management/hosts');
      t.equal(status, 200, `${JSON.stringify(value)}: 200`);
      const ids = body.data_list.map((host) => host.resource_id).sort();
      // The oracle: plain JavaScript comparisons over what was stored.
      const holds = (host: Host) => {
        const held = host[field];
        if (Array.isArray(held)) return (held as unknown[]).includes(value);
        if (parameter === 'host_name') return String(held).toLowerCase().includes(value.toLowerCase());
        return held === value;
      };
      const expected = hosts.filter(holds).map((host) => host.resource_id).sort();
      t.ok(expected.includes(`id-${i}`));
      t.same(ids, expected, `${JSON.stringify(value).slice(0, 40)}: exactly the hosts that hold it`);
    }
  });
}
