import type { ProtectionRequest } from '../core/http.types';
import type { MultipartTap } from './multipart-tap';
import { redactFields, redactValue, type Redaction } from './redact';
import { redactText } from './redact-text';

/** A body as logged: redacted text, and whether that text is JSON (a json-format line nests it). */
export interface LoggedBody {
  readonly text: string;
  readonly json: boolean;
}

interface ParsedFile {
  fieldname?: string;
  originalname?: string;
  filename?: string;
  size?: number;
}

const asJson = (data: unknown): LoggedBody => ({ text: JSON.stringify(data) ?? '', json: true });

/** Multipart as fields plus files by name and size, from the tap, else from what a parser left on req. */
function describeMultipart(
  req: ProtectionRequest,
  tap: MultipartTap | undefined,
  r: Redaction,
): LoggedBody {
  if (tap) {
    const seen = tap.snapshot();
    const files = seen.files.map((f) => ({
      field: f.field,
      name: f.name,
      type: f.type,
      size: f.size,
    }));
    return asJson({
      fields: redactFields(seen.fields, r),
      files,
      ...(seen.complete ? {} : { partial: true }),
    });
  }
  const parsed = (req as { files?: unknown }).files ?? (req as { file?: unknown }).file;
  const list = (
    Array.isArray(parsed)
      ? parsed
      : parsed && typeof parsed === 'object'
        ? Object.values(parsed).flat()
        : []
  ) as ParsedFile[];
  const files = list.map((f) => ({
    field: f.fieldname,
    name: f.originalname ?? f.filename,
    size: f.size,
  }));
  return asJson({ fields: redactValue(req.body ?? {}, r), files });
}

/** The request body as logged, masked; undefined when there is none. */
export function describeRequestBody(
  req: ProtectionRequest,
  tap: MultipartTap | undefined,
  r: Redaction,
): LoggedBody | undefined {
  const type = String(req.headers['content-type'] ?? '');
  if (tap || type.startsWith('multipart/')) return describeMultipart(req, tap, r);
  const body = req.body;
  if (body === undefined) return undefined;
  if (Buffer.isBuffer(body)) return { text: `<${body.length} bytes>`, json: false };
  if (typeof body === 'string') return { text: redactText(body, type, r), json: false };
  return asJson(redactValue(body, r));
}

/** A response body as written (possibly only its first bytes), masked. */
export function describeResponseBody(text: string, contentType: unknown, r: Redaction): LoggedBody {
  const type = typeof contentType === 'string' ? contentType : '';
  const redacted = redactText(text, type, r);
  return { text: redacted, json: /json/i.test(type) || /^\s*[[{]/.test(redacted) };
}

export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}...[cut ${text.length - max} chars]`;
}

/** The body as a json-format line holds it: data when whole JSON, else the (cut) text. */
export function bodyData(body: LoggedBody, max: number): unknown {
  if (body.json && body.text.length <= max) {
    try {
      return JSON.parse(body.text) as unknown;
    } catch {
      // a cut response: logged as text below
    }
  }
  return cut(body.text, max);
}
