// The OpenAPI document at /_mock/openapi.json: valid, and its limits those of the official API page (docs/api.md).
import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIV3 } from 'openapi-types';
import t from 'tap';
import { PRETTY_LOGS } from '../../src/http/app.js';
import { testApp } from '../helpers.js';

t.test('the document validates and describes both APIs', async (t) => {
  const app = testApp(t);
  const response = await app.inject({ url: '/_mock/openapi.json' });
  t.equal(response.statusCode, 200);
  const document = response.json() as OpenAPIV3.Document;
  await t.resolves(SwaggerParser.validate(structuredClone(document) as never), 'a valid OpenAPI 3 document');
  t.equal(document.openapi, '3.0.3');
  t.same(Object.keys(document.paths).sort(), [
    '/_mock/faults',
    '/_mock/faults/{id}',
    '/_mock/health',
    '/_mock/projects',
    '/_mock/projects/{project_id}/generate',
    '/_mock/projects/{project_id}/hosts',
    '/_mock/projects/{project_id}/hosts/{host_id}',
    '/_mock/projects/{project_id}/reset',
    '/_mock/requests',
    '/_mock/reset',
    '/v5/{project_id}/host-management/hosts',
  ]);
  const post = document.paths['/_mock/projects/{project_id}/hosts']!.post as OpenAPIV3.OperationObject;
  t.ok(post.requestBody, 'control writes describe their bodies');
  t.same(Object.keys(document.components!.securitySchemes!).sort(), ['admin', 'aksk', 'token']);
});

t.test("the hosts API's parameters carry the seed's limits", async (t) => {
  const app = testApp(t);
  const document = (await app.inject({ url: '/_mock/openapi.json' })).json() as OpenAPIV3.Document;
  const operation = document.paths['/v5/{project_id}/host-management/hosts']!.get as OpenAPIV3.OperationObject;
  const parameters = new Map((operation.parameters as OpenAPIV3.ParameterObject[]).map((parameter) => [`${parameter.in}:${parameter.name}`, parameter]));
  const schema = (key: string) => parameters.get(key)!.schema as OpenAPIV3.SchemaObject;
  // Transcribed from the official API page (its Tables 1 to 3; docs/api.md, section 2).
  t.match(schema('path:project_id'), { type: 'string', minLength: 1, maxLength: 256 });
  t.match(schema('header:x-auth-token'), { type: 'string', minLength: 1, maxLength: 32768 });
  t.match(schema('query:limit'), { type: 'integer', minimum: 0, maximum: 200, default: 10 });
  t.match(schema('query:offset'), { type: 'integer', minimum: 0, maximum: 2000000, default: 0 });
  t.match(schema('query:enterprise_project_id'), { type: 'string', minLength: 1, maxLength: 256, default: '0' });
  t.match(schema('query:group_name'), { minLength: 1, maxLength: 64 });
  t.match(schema('query:policy_group_id'), { minLength: 0, maxLength: 128 });
  t.match(schema('query:policy_group_name'), { minLength: 0, maxLength: 256 });
  t.match(schema('query:label'), { minLength: 1, maxLength: 64 });
  t.match(schema('query:server_group'), { minLength: 1, maxLength: 64 });
  t.match(schema('query:host_status'), { enum: ['ACTIVE', 'SHUTOFF', 'BUILDING', 'ERROR'] });
  t.match(schema('query:os_type'), { enum: ['Linux', 'Windows'] });
  t.match(schema('query:detect_result'), { enum: ['undetected', 'clean', 'risk', 'scanning'] });
  t.match(schema('query:asset_value'), { enum: ['important', 'common', 'test'] });
  for (const name of ['refresh', 'above_version', 'outside_host']) t.match(schema(`query:${name}`), { type: 'boolean' });
  t.equal(parameters.size, 27, 'the 25 query parameters, project_id and X-Auth-Token');
  for (const name of ['limit', 'offset', 'enterprise_project_id']) t.equal(parameters.get(`query:${name}`)!.required, false, `${name} is optional`);

  const ok = (operation.responses['200'] as OpenAPIV3.ResponseObject).content!['application/json']!.schema as OpenAPIV3.SchemaObject;
  t.match(ok.properties!.total_num, { type: 'integer', minimum: 0, maximum: 2097152 });
  t.match(ok.properties!.data_list, { type: 'array', maxItems: 10241 });
  const host = (ok.properties!.data_list as OpenAPIV3.ArraySchemaObject).items as OpenAPIV3.SchemaObject;
  t.equal(Object.keys(host.properties!).length, 36, 'Table 5 and expire_time');
  t.match(host.properties!.agent_create_time, { type: 'integer', minimum: 0, maximum: 4824695185000 });
  t.match(host.properties!.labels, { type: 'array', maxItems: 100, items: { maxLength: 64 } });
});

t.test('pretty logs show other lines by their message', async (t) => {
  t.equal(PRETTY_LOGS.messageFormat({ msg: 'something happened' }, 'msg'), 'something happened');
  t.equal(PRETTY_LOGS.messageFormat({ method: 'GET', url: '/x', status: 200, ms: 1.5 }, 'msg'), 'GET /x 200 1.5ms');
});
