import type { CaptchaRendering } from './first-blood-options.interface';

type SvgCaptcha = ((text: string, options?: Record<string, unknown>) => string) & {
  loadFont(path: string): void;
};

let svgCaptcha: SvgCaptcha | undefined;
let loadedFont: string | undefined;

/** svg-captcha, required on first use so apps without @FirstBlood never load it. */
function renderer(font: string | undefined): SvgCaptcha {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  svgCaptcha ??= require('svg-captcha') as SvgCaptcha;
  if (font && font !== loadedFont) {
    svgCaptcha.loadFont(font);
    loadedFont = font;
  }
  return svgCaptcha;
}

/** The built-in rendering: an SVG drawn by svg-captcha (it only draws; the code is ours). */
export function renderSvg(code: string, font?: string): CaptchaRendering {
  const svg = renderer(font)(code, { noise: 3, color: true, width: 150, height: 50, fontSize: 56 });
  return { contentType: 'image/svg+xml', body: svg };
}

/** `data:<type>;base64,<data>`, for clients that asked for base64 in `Accept`. */
export function toDataUrl(image: CaptchaRendering): string {
  const type = image.contentType.split(';')[0]?.trim() || 'application/octet-stream';
  const bytes = typeof image.body === 'string' ? Buffer.from(image.body, 'utf8') : image.body;
  return `data:${type};base64,${bytes.toString('base64')}`;
}
