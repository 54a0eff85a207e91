// One validator for everything: query strings, path parameters, written hosts, fixture files.
// Strict on purpose: no silent coercion or stripping (a real service rejects what it cannot read).
import { Ajv, type ErrorObject } from 'ajv';
import type { Static, TObject, TSchema } from '@sinclair/typebox';
import { LIST_PARAMETERS, type ListParameter } from './schemas.js';

const ajv = new Ajv({ coerceTypes: false, useDefaults: true, removeAdditional: false, allErrors: false, validateSchema: false, code: { optimize: false } });

/**
 * A first problem, as `where: what`: `limit: must be at most 200` for a parameter, or
 * `/0/os_type: must be one of: Linux, Windows` for a JSON pointer below `base`.
 */
export function describeError(error: ErrorObject, style: 'parameter' | 'pointer', base = ''): string {
  let path = base + error.instancePath;
  if (error.keyword === 'additionalProperties') path += `/${error.params.additionalProperty}`;
  if (error.keyword === 'required') path += `/${error.params.missingProperty}`;
  const where = style === 'parameter' ? path.slice(1) : path || '(root)';
  return `${where}: ${reason(error)}`;
}

function reason(error: ErrorObject): string {
  const { params } = error;
  switch (error.keyword) {
    case 'type':
      return params.type === 'boolean' ? 'must be true or false' : `must be ${/^[aeiou]/.test(params.type) ? 'an' : 'a'} ${params.type}`;
    case 'enum':
      return `must be one of: ${params.allowedValues.join(', ')}`;
    case 'minLength':
      return 'must not be empty'; // every minimum length in the contract is 0 or 1
    case 'maxLength':
      return `must be at most ${params.limit} characters`;
    case 'minimum':
      return `must be at least ${params.limit}`;
    case 'maximum':
      return `must be at most ${params.limit}`;
    case 'maxItems':
      return `must have at most ${params.limit} items`;
    case 'additionalProperties':
      return 'is not a known field';
    case 'required':
      return 'is required';
    default:
      return error.message!;
  }
}

/** What checks data: true when valid, else false with the problems in `errors`. */
export type Validator<T = unknown> = ((data: unknown) => data is T) & { errors?: ErrorObject[] | null };

/**
 * A validator that compiles itself the first time it is called: compiling a schema costs
 * milliseconds (tens for a host), most are never used in a run, and start-up time counts.
 */
function validatorOnFirstUse<T>(compile: () => Validator<T>): Validator<T> {
  let compiled: Validator<T> | undefined;
  const validate = ((data: unknown) => {
    compiled ??= compile();
    const valid = compiled(data);
    validate.errors = compiled.errors;
    return valid;
  }) as Validator<T>;
  return validate;
}

/** A validator for data that arrives typed (JSON bodies, fixture files, path parameters). */
export function compile<T extends TSchema>(schema: T): Validator<Static<T>> {
  return validatorOnFirstUse(() => ajv.compile<Static<T>>(schema));
}

const INTEGER = /^[+-]?[0-9]+$/;

/** What is wrong with a comma-separated batch parameter (too many items, an empty or too long one), if anything. */
function problemOfList(name: ListParameter, value: string): string | undefined {
  const { maxItems, maxLength } = LIST_PARAMETERS[name];
  const items = value.split(',');
  if (items.length > maxItems) return `must have at most ${maxItems} comma-separated items (got ${items.length})`;
  // Characters, as JSON Schema counts them (code points, not UTF-16 units).
  const bad = items.findIndex((item) => item.length === 0 || [...item].length > maxLength);
  return bad === -1 ? undefined : `item ${bad + 1} must be 1 to ${maxLength} characters (items are separated by commas, never trimmed)`;
}

/**
 * Compiles a query string schema. A query arrives as text: the properties declared integer or boolean
 * are read strictly (decimal digits; `true`/`false`) and anything else is left for the schema to
 * reject. A declared parameter given twice is rejected; unknown parameters are left alone.
 */
export function compileQuery(schema: TObject): ((data: unknown) => boolean) & { errors?: ErrorObject[] | null } {
  const check = compile(schema);
  const properties: Record<string, TSchema> = schema.properties;
  const validate = (data: unknown): boolean => {
    const query = data as Record<string, unknown>;
    for (const [name, property] of Object.entries(properties)) {
      const value = query[name];
      if (Array.isArray(value)) {
        validate.errors = [{ instancePath: `/${name}`, schemaPath: '', keyword: 'repeated', params: {}, message: 'must be given only once' }];
        return false;
      }
      if (typeof value !== 'string') continue;
      const listProblem = name in LIST_PARAMETERS ? problemOfList(name as ListParameter, value) : undefined;
      if (listProblem !== undefined) {
        validate.errors = [{ instancePath: `/${name}`, schemaPath: '', keyword: 'list', params: {}, message: listProblem }];
        return false;
      }
      if (property.type === 'integer' && INTEGER.test(value)) query[name] = Number(value);
      if (property.type === 'boolean' && (value === 'true' || value === 'false')) query[name] = value === 'true';
    }
    const valid = check(query);
    validate.errors = check.errors;
    return valid;
  };
  validate.errors = undefined as ErrorObject[] | null | undefined;
  return validate;
}
