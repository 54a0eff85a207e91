// Fixture files: the seed's example served verbatim, arrays and keyed objects, and bad files.
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { StartupError } from '../../src/contract/errors.js';
import { loadFixtures } from '../../src/fleet/fixtures.js';
import { listHosts, MIXED_FLEET, SEED_EXAMPLE, testApp } from '../helpers.js';

const ALL = 'enterprise_project_id=all_granted_eps&limit=200';

/** Writes files into a new temporary folder and returns its path. */
function folderWith(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'hss-mock-fixtures-'));
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

t.test("the seed's example response is served verbatim", async (t) => {
  const app = testApp(t, { fixtures: [SEED_EXAMPLE] });
  const example = JSON.parse(readFileSync(SEED_EXAMPLE, 'utf8'));
  const { status, body } = await listHosts(app, 'limit=10&offset=0&agent_status=online&os_type=Linux&enterprise_project_id=all_granted_eps');
  t.equal(status, 200);
  t.strictSame(body, example, 'the same fields and values as the page shows');
  t.same((await listHosts(app, 'limit=10', undefined, '/v5/any-other-project/host-management/hosts')).body.total_num, 0,
    'its enterprise_project_id is "all_granted_eps", so the default query does not select it');
});

t.test('a saved response is served as it is, however few its fields', async (t) => {
  const dir = folderWith({ 'sparse.json': { total_num: 2, data_list: [{ agent_status: 'online' }, { os_type: 'Windows', labels: ['a', 'a'] }] } });
  const app = testApp(t, { fixtures: [join(dir, 'sparse.json')] });
  t.strictSame((await listHosts(app, ALL)).body, { total_num: 2, data_list: [{ agent_status: 'online' }, { os_type: 'Windows', labels: ['a', 'a'] }] });
  t.equal((await listHosts(app, `${ALL}&label=a`)).body.total_num, 1, 'a repeated label matches once');
  t.equal((await listHosts(app, `${ALL}&host_name=a`)).body.total_num, 0, 'no name: no match');
  t.equal((await listHosts(app, 'limit=200')).body.total_num, 0, 'no enterprise project: not in the default one');
});

t.test('an array of hosts: every project serves exactly those, completed where partial', async (t) => {
  const dir = folderWith({
    'hosts.json': [
      { host_name: 'only-a-name' },
      { host_id: 'fixed-id', os_type: 'Windows', agent_status: 'not_installed', enterprise_project_id: '0' },
    ],
  });
  const app = testApp(t, { fixtures: [join(dir, 'hosts.json')] });
  for (const project of ['p1', 'p2']) {
    const { body } = await listHosts(app, ALL, undefined, `/v5/${project}/host-management/hosts`);
    t.equal(body.total_num, 2, `${project}: exactly the fixture hosts`);
    const [named, fixed] = body.data_list;
    t.equal(named!.host_name, 'only-a-name', 'a given field is kept');
    t.match(named!.host_id, /^[0-9a-f-]{36}$/, 'an absent host_id is generated');
    t.ok(named!.os_type && named!.agent_status && named!.host_status, 'other fields are completed');
    t.equal(fixed!.host_id, 'fixed-id');
    t.equal(fixed!.os_type, 'Windows');
    t.match(fixed!.os_image, /^Windows/, 'completed coherently with the given os_type');
    t.equal(fixed!.agent_id, undefined, 'no agent fields for a host without an agent');
    t.equal(fixed!.detect_result, 'undetected');
  }
  const again = testApp(t, { fixtures: [join(dir, 'hosts.json')] });
  t.same((await listHosts(again, ALL, undefined, '/v5/p1/host-management/hosts')).body, (await listHosts(app, ALL, undefined, '/v5/p1/host-management/hosts')).body, 'completion is deterministic');
});

t.test('an object keyed by project id: those projects serve their hosts, others are generated', async (t) => {
  const dir = folderWith({ 'by-project.json': { alpha: [{ host_name: 'alpha-1' }, { host_name: 'alpha-2' }], beta: [] } });
  const app = testApp(t, { fixtures: [dir] });
  const names = async (project: string) => (await listHosts(app, ALL, undefined, `/v5/${project}/host-management/hosts`)).body;
  t.same((await names('alpha')).data_list.map((host) => host.host_name), ['alpha-1', 'alpha-2']);
  t.same(await names('beta'), { total_num: 0, data_list: [] }, 'an empty list: no hosts');
  t.equal((await names('gamma')).total_num, 50, 'a project without a key: generated');
});

t.test('several files merge in order; keyed entries win over arrays', async (t) => {
  const dir = folderWith({
    '1-array.json': [{ host_name: 'shared-1' }],
    '2-array.json': { total_num: 1, data_list: [{ host_name: 'shared-2', host_id: 'h2' }] },
    '3-keyed.json': { special: [{ host_name: 'special-1' }] },
    'ignored.txt': 'not json',
  });
  const app = testApp(t, { fixtures: [dir] });
  const names = async (project: string) =>
    (await listHosts(app, ALL, undefined, `/v5/${project}/host-management/hosts`)).body.data_list.map((host) => host.host_name);
  t.same(await names('any'), ['shared-1', 'shared-2'], 'arrays and saved responses, in file order');
  t.same(await names('special'), ['special-1']);
});

t.test('the mixed fleet fixture holds every enum value', async (t) => {
  const hosts = JSON.parse(readFileSync(MIXED_FLEET, 'utf8')) as Record<string, unknown>[];
  const values = (field: string) => new Set(hosts.map((host) => host[field]));
  t.equal(values('agent_status').size, 5);
  t.equal(values('host_status').size, 4);
  t.equal(values('detect_result').size, 4);
  t.equal(values('protect_status').size, 3);
  t.equal(values('version').size, 7);
  t.equal(values('asset_value').size, 3);
  t.equal(values('charging_mode').size, 2);
  t.equal(values('outside_host').size, 2);
});

t.test('a bad fixture stops startup with one line naming the file and the first problem', async (t) => {
  const dir = folderWith({
    'not-json.json': '{"a": ',
    'bad-enum.json': [{ host_name: 'ok' }, { agent_status: 'sleeping' }],
    'bad-type.json': { proj: [{ asset: 'many' }] },
    'unknown-field.json': [{ host_name: 'x', colour: 'blue' }],
    'scalar.json': '42',
    'not-a-list.json': { proj: { host_name: 'x' } },
    'bad-response.json': { total_num: 1, data_list: {} },
    'duplicate.json': [{ host_id: 'same' }, { host_id: 'same' }],
    'long-project.json': { ['p'.repeat(257)]: [] },
    'too-long.json': [{ host_name: 'n'.repeat(129) }],
    'many-labels.json': [{ labels: Array.from({ length: 101 }, (_, i) => `tag-${i}`) }],
    'number-name.json': [{ host_name: 5 }],
    'not-an-object.json': [42],
  });
  const cases: [string, RegExp][] = [
    ['not-json.json', /not-json\.json: .*JSON/],
    ['bad-enum.json', /bad-enum\.json: \/1\/agent_status: must be one of: not_installed, online/],
    ['bad-type.json', /bad-type\.json: \/proj\/0\/asset: must be an integer/],
    ['unknown-field.json', /unknown-field\.json: \/0\/colour: is not a known field/],
    ['scalar.json', /scalar\.json: expected an array of hosts, an object keyed by project id, or a saved API response/],
    ['not-a-list.json', /not-a-list\.json: \/proj: must be an array of hosts/],
    ['bad-response.json', /bad-response\.json: \/data_list: must be an array of hosts/],
    ['duplicate.json', /duplicate\.json: host_id "same" is given twice for every project/],
    ['long-project.json', /long-project\.json: project id "p+" must be 1 to 256 characters/],
    ['too-long.json', /too-long\.json: \/0\/host_name: must be at most 128 characters/],
    ['number-name.json', /number-name\.json: \/0\/host_name: must be a string/],
    ['not-an-object.json', /not-an-object\.json: \/0: must be an object/],
    ['many-labels.json', /many-labels\.json: \/0\/labels: must have at most 100 items/],
    ['missing.json', /missing\.json: no such file or folder/],
  ];
  for (const [file, message] of cases) {
    const error = t.throws(() => loadFixtures([join(dir, file)])) as Error;
    t.type(error, StartupError, file);
    t.match(error.message, message, file);
    t.notMatch(error.message, /\n/, `${file}: one line`);
  }
  mkdirSync(join(dir, 'empty-folder'));
  t.same(loadFixtures([join(dir, 'empty-folder')]), { byProject: new Map() }, 'an empty folder holds no fixtures');
});
