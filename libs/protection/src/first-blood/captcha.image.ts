import type { AppScan } from '../core/app-scan';
import { requireOptional } from '../core/optional-package';
import type { ResolvedFirstBloodOptions } from '../protection-options.factory';
import type { CaptchaRendering, FirstBloodRouteOptions } from './first-blood-options.interface';
import { FirstBloodMetadata } from './first-blood.metadata';

type SvgCaptcha = ((text: string, options?: Record<string, unknown>) => string) & {
  loadFont(path: string): void;
};

let svgCaptcha: SvgCaptcha | undefined;
let loadedFont: string | undefined;

function loadSvgCaptcha(neededFor: string): SvgCaptcha {
  return (svgCaptcha ??= requireOptional(
    'svg-captcha',
    neededFor,
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    () => require('svg-captcha') as SvgCaptcha,
    'set firstBlood.render to draw the image yourself',
  ));
}

/**
 * At boot: when a route of the app uses the built-in image CAPTCHA (no `render`, no handler
 * for its scene), svg-captcha must be installed; a missing package stops the boot here rather
 * than failing the first image request with a 500.
 */
export function checkCaptchaImages(settings: ResolvedFirstBloodOptions, scan: AppScan): void {
  if (settings.render) return;
  const routes = scan.labels((m) => {
    const route =
      typeof m.fn === 'function'
        ? (Reflect.getMetadata(FirstBloodMetadata.KEY, m.fn) as FirstBloodRouteOptions | undefined)
        : undefined;
    return (
      route !== undefined &&
      builtInImage(route.scene) &&
      !settings.handlers.some((h) => h.accepts(route.scene))
    );
  });
  if (routes.length === 0) return;
  loadSvgCaptcha(
    `the built-in CAPTCHA image of @FirstBlood (${routes.slice(0, 3).join(', ')}${routes.length > 3 ? ', ...' : ''})`,
  );
}

/** Scenes answered by the built-in image CAPTCHA. */
export function builtInImage(scene: string): boolean {
  return scene === '' || scene.startsWith('image');
}

/** svg-captcha, required on first use so apps without @FirstBlood never load it. */
function renderer(font: string | undefined): SvgCaptcha {
  svgCaptcha ??= loadSvgCaptcha('the built-in CAPTCHA image of @FirstBlood');
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
