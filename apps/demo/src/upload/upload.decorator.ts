import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Upload } from './upload.interceptor';

/** The multipart body that `UploadInterceptor` read. */
export const UploadBody = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Upload =>
    ctx.switchToHttp().getRequest<{ upload?: Upload }>().upload ?? { fields: {}, files: [] },
);
