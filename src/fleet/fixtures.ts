// Fixture files: hosts to serve instead of generated ones (README, "Fixtures").
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, StartupError } from '../contract/errors.js';
import { firstDuplicateId, isSavedResponse, readHostList, type InputHost } from './host-input.js';

export interface FixtureSet {
  /** From arrays and saved responses: the hosts of every project without keyed entries. */
  everyProject?: InputHost[];
  /** From objects keyed by project id. */
  byProject: Map<string, InputHost[]>;
}

/**
 * Reads fixture files and folders (their `.json` files, by name) in order, merging them. A bad one
 * throws a StartupError naming the file and the first problem.
 */
export function loadFixtures(paths: readonly string[]): FixtureSet {
  const fixtures: FixtureSet = { byProject: new Map() };
  for (const file of paths.flatMap(jsonFiles)) {
    const content = parse(file);
    try {
      if (Array.isArray(content) || isSavedResponse(content)) {
        fixtures.everyProject = [...(fixtures.everyProject ?? []), ...readHostList(content, '')];
        continue;
      }
      if (typeof content !== 'object' || content === null) {
        throw new InputError('expected an array of hosts, an object keyed by project id, or a saved API response');
      }
      for (const [projectId, value] of Object.entries(content)) {
        if (projectId.length < 1 || projectId.length > 256) throw new InputError(`project id "${projectId}" must be 1 to 256 characters`);
        fixtures.byProject.set(projectId, [...(fixtures.byProject.get(projectId) ?? []), ...readHostList(value, `/${projectId}`)]);
      }
    } catch (error) {
      throw new StartupError(`${file}: ${(error as Error).message}`);
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
