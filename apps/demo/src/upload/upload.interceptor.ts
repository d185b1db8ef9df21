import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
  type Type,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AnyFilesInterceptor } from '@nestjs/platform-express';
import { createHash } from 'node:crypto';
import type { Observable } from 'rxjs';

/** One uploaded file as the demo hands it to handlers, whatever the platform parsed it with. */
export interface UploadedPart {
  field: string;
  name: string;
  size: number;
  sha256: string;
}

export interface Upload {
  fields: Record<string, string>;
  files: UploadedPart[];
}

interface MultipartPart {
  type: 'file' | 'field';
  fieldname: string;
  filename?: string;
  value?: unknown;
  toBuffer?: () => Promise<Buffer>;
}
interface FastifyMultipartRequest {
  parts(): AsyncIterable<MultipartPart>;
}
interface MulterFile {
  fieldname: string;
  originalname: string;
  size: number;
  buffer: Buffer;
}

const LIMITS = { fileSize: 5 * 1024 * 1024, files: 10, fields: 50 };

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/**
 * Reads a multipart body with the platform's usual parser (multer on Express, @fastify/multipart
 * on Fastify, registered in bootstrap.ts) and leaves one shape on `req.upload`. Demo plumbing
 * only: the library's logger watches the body by itself, whichever parser reads it.
 */
@Injectable()
export class UploadInterceptor implements NestInterceptor {
  private express: NestInterceptor | undefined;

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = context
      .switchToHttp()
      .getRequest<{ upload?: Upload; body?: Record<string, string>; files?: MulterFile[] }>();
    if (this.adapterHost.httpAdapter.getType() === 'fastify') {
      const upload: Upload = { fields: {}, files: [] };
      for await (const part of (req as unknown as FastifyMultipartRequest).parts()) {
        if (part.type === 'file' && part.toBuffer) {
          const data = await part.toBuffer();
          upload.files.push({
            field: part.fieldname,
            name: part.filename ?? '',
            size: data.length,
            sha256: sha256(data),
          });
        } else {
          upload.fields[part.fieldname] = String(part.value);
        }
      }
      req.upload = upload;
      return next.handle();
    }
    this.express ??= new (AnyFilesInterceptor({ limits: LIMITS }) as Type<NestInterceptor>)();
    const handled = await this.express.intercept(context, next);
    req.upload = {
      fields: { ...req.body },
      files: (req.files ?? []).map((f) => ({
        field: f.fieldname,
        name: f.originalname,
        size: f.size,
        sha256: sha256(f.buffer),
      })),
    };
    return handled;
  }
}

export const UPLOAD_LIMITS = LIMITS;
