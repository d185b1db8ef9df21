/*
 * Swagger documentation added by our decorators only when @nestjs/swagger is installed.
 * The entry point the decorators and the module import; the parts live in swagger.*.ts.
 */
export type { DocHeader, DocResponse, RouteDocs } from './swagger.types';
export { documentRoute, syncRouteDocs } from './swagger.registry';
