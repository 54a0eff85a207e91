// Hosts as users write them, in fixture files and control API bodies: checked against the Host
// schema, partial ones marked for completion, saved API responses kept verbatim.
import { InputError } from '../contract/errors.js';
import { Host } from '../contract/schemas.js';
import { compile, describeError } from '../contract/validation.js';

/** A host as given. Hosts of a saved API response are served verbatim; others are completed. */
export interface InputHost {
  host: Host;
  verbatim: boolean;
}

const checkHost = compile(Host);

/** `{"total_num": ..., "data_list": [...]}`, as the API answers. */
export function isSavedResponse(value: unknown): value is { data_list: unknown } {
  return typeof value === 'object' && value !== null && 'data_list' in value && 'total_num' in value;
}

/** One host, checked. `path` locates it in the input. */
function readHost(value: unknown, path: string): Host {
  if (!checkHost(value)) throw new InputError(describeError(checkHost.errors![0]!, 'pointer', path));
  return value;
}

/** An array of hosts, or a saved API response whose hosts are kept verbatim; at most `max` hosts. */
export function readHostList(value: unknown, path: string, max = Infinity): InputHost[] {
  const verbatim = isSavedResponse(value);
  const list = verbatim ? value.data_list : value;
  const listPath = verbatim ? `${path}/data_list` : path;
  if (!Array.isArray(list)) throw new InputError(`${listPath}: must be an array of hosts`);
  if (list.length > max) throw new InputError(`${listPath || '(root)'}: at most ${max} hosts a write (got ${list.length})`);
  return list.map((host, index) => ({ host: readHost(host, `${listPath}/${index}`), verbatim }));
}

/** A control API body: one host, an array of at most `max` hosts, or a saved API response. */
export function readHostsBody(body: unknown, max: number): InputHost[] {
  if (Array.isArray(body) || isSavedResponse(body)) return readHostList(body, '', max);
  return [{ host: readHost(body, ''), verbatim: false }];
}

export function firstDuplicateId(hosts: readonly InputHost[]): string | undefined {
  const seen = new Set<string>();
  for (const { host } of hosts) {
    if (host.host_id === undefined) continue;
    if (seen.has(host.host_id)) return host.host_id;
    seen.add(host.host_id);
  }
  return undefined;
}

/** Completes the hosts that are not verbatim. */
export function completeInput(hosts: readonly InputHost[], complete: (partial: Host) => Host): Host[] {
  return hosts.map(({ host, verbatim }) => (verbatim ? host : complete(host)));
}

/**
 * A JSON merge patch (RFC 7396) of one host: given fields replace, `null` removes a field, and
 * `host_id` cannot change. The result is checked like any written host.
 */
export function applyMergePatch(host: Host, patch: unknown): Host {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw new InputError('(root): must be an object of fields');
  const merged: Record<string, unknown> = { ...host };
  for (const [field, value] of Object.entries(patch)) {
    if (field === 'host_id' && value !== host.host_id) throw new InputError('/host_id: cannot change');
    if (value === null) delete merged[field];
    else merged[field] = value;
  }
  return readHost(merged, '');
}
