/** The OpenAPI 3.1 document of the API, generated from the route table and its zod schemas. */
import { z } from 'zod';
import { rolesAllowed } from './auth.js';
import { ProblemSchema } from './problem.js';
import type { RouteSpec } from './route.js';

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

const problemRef = { $ref: '#/components/schemas/Problem' };

function parameters(schema: z.ZodType | undefined, location: 'path' | 'query'): JsonSchema[] {
  // a query preprocessed before validation (gathering attr[name] parameters) is documented as what it validates
  const object = schema instanceof z.ZodPipe ? schema.out : schema;
  if (!(object instanceof z.ZodObject)) return [];
  return Object.entries(object.shape as Record<string, z.ZodType>).map(([name, field]) => {
    const fieldSchema = jsonSchema(field, 'input');
    const { description, ...rest } = fieldSchema;
    // an object in a query is sent as name[key]=value
    const style = rest.type === 'object' ? { style: 'deepObject', explode: true } : {};
    return { name, in: location, required: location === 'path' || !field.safeParse(undefined).success, description, ...style, schema: rest };
  });
}

function operation(route: RouteSpec): JsonSchema {
  const responses: Record<string, JsonSchema> = {};
  for (const [status, spec] of Object.entries(route.responses)) {
    const isError = Number(status) >= 400;
    const content = spec.schema
      ? { [isError ? 'application/problem+json' : 'application/json']: { schema: jsonSchema(spec.schema, 'output') } }
      : spec.contentType
        ? { [spec.contentType]: {} }
        : isError
          ? { 'application/problem+json': { schema: problemRef } }
          : undefined;
    responses[status] = { description: spec.description, ...(content ? { content } : {}) };
  }
  const generic: [number, string, boolean][] = [
    [400, 'Invalid request', Boolean(route.params || route.query || route.body)],
    [401, 'Missing or invalid API key', route.access !== 'public'],
    [403, 'The API key lacks the role', route.access !== 'public'],
    [500, 'Internal server error', true],
  ];
  for (const [status, description, applies] of generic) {
    if (applies && !responses[status]) responses[status] = { description, content: { 'application/problem+json': { schema: problemRef } } };
  }

  // A request without a body is validated as {}: the body is optional where {} is valid.
  const requestBody = route.body
    ? { required: !route.body.safeParse({}).success, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } }
    : route.upload
      ? {
          required: true,
          description: route.upload.description,
          content: Object.fromEntries(
            route.upload.contentTypes.map((type) => [
              type,
              type === 'multipart/form-data'
                ? { schema: { type: 'object', required: ['image'], properties: { image: { type: 'string', contentMediaType: 'application/octet-stream' } } } }
                : { schema: { type: 'string', contentMediaType: type } },
            ]),
          ),
        }
      : undefined;

  const roles = rolesAllowed(route.access);
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    ...(roles ? { description: `Roles: ${roles.join(', ')}.`, security: [{ bearer: [] }] } : { security: [] }),
    parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
    ...(requestBody ? { requestBody } : {}),
    responses,
  };
}

export function openApiDocument(routes: readonly RouteSpec[], version: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    paths[path] ??= {};
    paths[path][route.method] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'kensa inspection API',
      version,
      description: 'Factory cameras post images and get OK/NG, a score and defect regions; QA reads and reviews the log.',
    },
    paths,
    components: {
      schemas: { Problem: jsonSchema(ProblemSchema, 'output') },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key from `kensa keys create`.' } },
    },
  };
}
