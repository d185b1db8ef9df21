/*
 * The lazy @nestjs/swagger loader and the Swagger metadata helpers the registry and the success
 * logic share. Required lazily so the library works without it and its types never leak into ours.
 */
import type { DocHeader, ResponseMap } from './swagger.types';

type Decorate = (target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => void;

export interface SwaggerApi {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- mirrors @nestjs/swagger's own signature (models are classes of any shape)
  ApiExtraModels(...models: Function[]): Decorate;
  ApiResponse(options: Record<string, unknown>): Decorate;
  ApiHeader(options: Record<string, unknown>): Decorate;
  ApiQuery(options: Record<string, unknown>): Decorate;
  ApiSecurity(name: string): Decorate;
}

export const API_RESPONSE = 'swagger/apiResponse';
export const API_PARAMETERS = 'swagger/apiParameters';
export const API_SECURITY = 'swagger/apiSecurity';

let cached: SwaggerApi | null | undefined;

export function swagger(): SwaggerApi | null {
  if (cached !== undefined) return cached;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    cached = require('@nestjs/swagger') as SwaggerApi;
  } catch {
    cached = null;
  }
  return cached;
}

/** A descriptor holding `fn`, for calling Swagger's decorators on it. */
export function on(fn: object): PropertyDescriptor {
  return { value: fn, writable: true, enumerable: false, configurable: true };
}

export function headerObject(h: DocHeader): Record<string, unknown> {
  return {
    description: h.description,
    schema: { type: h.type, ...(h.example !== undefined ? { example: h.example } : {}) },
  };
}

export function readResponses(fn: object): ResponseMap | undefined {
  return Reflect.getMetadata(API_RESPONSE, fn) as ResponseMap | undefined;
}

/** Writes the responses; none at all deletes the key, so Swagger adds its own default again. */
export function writeResponses(fn: object, responses: ResponseMap): void {
  if (Object.keys(responses).length) Reflect.defineMetadata(API_RESPONSE, responses, fn);
  else Reflect.deleteMetadata(API_RESPONSE, fn);
}
