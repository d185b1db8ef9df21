import {
  BadRequestException,
  HttpException,
  Injectable,
  PayloadTooLargeException,
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
      req.upload = await readParts(req as unknown as FastifyMultipartRequest);
      return next.handle();
    }
    this.express ??= new (AnyFilesInterceptor({ limits: LIMITS }) as Type<NestInterceptor>)();
    const handled = await Promise.resolve(this.express.intercept(context, next)).catch(
      (err: unknown) => {
        throw err instanceof HttpException && err.getStatus() === 400 ? badMultipart(err) : err;
      },
    );
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

function badMultipart(err: Error): BadRequestException {
  return new BadRequestException({
    statusCode: 400,
    code: 'BAD_MULTIPART',
    message: `Malformed multipart body: ${err.message}`,
  });
}

/** The parts of a Fastify multipart body; a malformed body (no boundary, cut short) is a 400. */
async function readParts(req: FastifyMultipartRequest): Promise<Upload> {
  const upload: Upload = { fields: {}, files: [] };
  try {
    for await (const part of req.parts()) {
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
  } catch (err) {
    if (err instanceof HttpException) throw err;
    // Limits are 413; what is left is a body that is not well-formed multipart.
    if ((err as { statusCode?: number }).statusCode === 413)
      throw new PayloadTooLargeException((err as Error).message);
    throw badMultipart(err as Error);
  }
  return upload;
}
