// Fixture files: hosts to serve instead of generated ones (README, "Fixtures").
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { StartupError } from './errors.js';
import { Host } from './schemas.js';
import { compile, describeError } from './validation.js';

/** A host from a fixture file. Hosts of a saved API response are served verbatim; others are completed. */
export interface FixtureHost {
  host: Host;
  verbatim: boolean;
}

export interface FixtureSet {
  /** From arrays and saved responses: the hosts of every project without keyed entries. */
  everyProject?: FixtureHost[];
  /** From objects keyed by project id. */
  byProject: Map<string, FixtureHost[]>;
}

const checkHost = compile(Host);

/** Reads fixture files and folders (their `.json` files, by name) in order, merging them. A bad one stops startup naming the file and the first problem. */
export function loadFixtures(paths: string[]): FixtureSet {
  const fixtures: FixtureSet = { byProject: new Map() };
  for (const file of paths.flatMap(jsonFiles)) {
    const content = parse(file);
    if (Array.isArray(content) || isSavedResponse(content)) {
      fixtures.everyProject = [...(fixtures.everyProject ?? []), ...hostsOf(file, content, '')];
      continue;
    }
    if (typeof content !== 'object' || content === null) {
      throw new StartupError(`${file}: expected an array of hosts, an object keyed by project id, or a saved API response`);
    }
    for (const [projectId, value] of Object.entries(content)) {
      if (projectId.length < 1 || projectId.length > 256) throw new StartupError(`${file}: project id "${projectId}" must be 1 to 256 characters`);
      const hosts = hostsOf(file, value, `/${projectId}`);
      fixtures.byProject.set(projectId, [...(fixtures.byProject.get(projectId) ?? []), ...hosts]);
    }
  }
  for (const [projectId, hosts] of [['every project', fixtures.everyProject ?? []], ...fixtures.byProject] as const) {
    const duplicate = firstDuplicateId(hosts);
    if (duplicate !== undefined) throw new StartupError(`${paths.join(', ')}: host_id "${duplicate}" is given twice for ${projectId}`);
  }
  return fixtures;
}

function jsonFiles(path: string): string[] {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    throw new StartupError(`${path}: no such file or folder`);
  }
  if (!stats.isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => join(path, name));
}

function parse(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new StartupError(`${file}: ${(error as Error).message}`);
  }
}

function isSavedResponse(content: unknown): content is { data_list: unknown } {
  return typeof content === 'object' && content !== null && 'data_list' in content && 'total_num' in content;
}

function hostsOf(file: string, value: unknown, path: string): FixtureHost[] {
  const verbatim = isSavedResponse(value);
  const list = verbatim ? value.data_list : value;
  const listPath = verbatim ? `${path}/data_list` : path;
  if (!Array.isArray(list)) throw new StartupError(`${file}: ${listPath}: must be an array of hosts`);
  return list.map((host, index) => {
    if (!checkHost(host)) throw new StartupError(`${file}: ${describeError(checkHost.errors![0]!, 'pointer', `${listPath}/${index}`)}`);
    return { host, verbatim };
  });
}

function firstDuplicateId(hosts: readonly FixtureHost[]): string | undefined {
  const seen = new Set<string>();
  for (const { host } of hosts) {
    if (host.host_id === undefined) continue;
    if (seen.has(host.host_id)) return host.host_id;
    seen.add(host.host_id);
  }
  return undefined;
}
