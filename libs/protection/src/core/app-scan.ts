import { Injectable, type Type } from '@nestjs/common';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';
import { LIBRARY } from './async-context';

/** A method of one of the app's own controllers or providers. */
export interface AppMethod {
  readonly type: Type<unknown>;
  readonly name: string;
  readonly fn: unknown;
  readonly controller: boolean;
  /** `Class.method`, for boot messages. */
  readonly label: string;
}

/** An app class and the library services its constructor injects. */
export interface AppClass {
  readonly type: Type<unknown>;
  readonly injects: readonly string[];
}

/**
 * What the app's own classes use of the library, read once at boot (after every module is
 * registered, so from `onModuleInit` on): boot lines and optional packages then depend on what
 * the app uses, not on what the library offers.
 */
@Injectable()
export class AppScan {
  static readonly [LIBRARY] = true;
  private scanned: { classes: AppClass[]; methods: AppMethod[] } | undefined;

  constructor(private readonly modules: ModulesContainer) {}

  /** Every method of the app's controllers and providers (the library's own excluded). */
  methods(): readonly AppMethod[] {
    return this.scan().methods;
  }

  /** The app's classes with the library services each injects. */
  classes(): readonly AppClass[] {
    return this.scan().classes;
  }

  /** `Class.method` labels of the methods for which `pick` is true. */
  labels(pick: (m: AppMethod) => boolean): string[] {
    return this.methods()
      .filter(pick)
      .map((m) => m.label);
  }

  private scan(): { classes: AppClass[]; methods: AppMethod[] } {
    if (this.scanned) return this.scanned;
    const classes: AppClass[] = [];
    const methods: AppMethod[] = [];
    const seen = new Set<unknown>();
    const scanner = new MetadataScanner();
    for (const module of this.modules.values()) {
      if (isLibrary(module.metatype)) continue;
      const wrappers = [
        ...[...module.controllers.values()].map((w) => [w, true] as const),
        ...[...module.providers.values()].map((w) => [w, false] as const),
      ];
      for (const [wrapper, controller] of wrappers) {
        const type = wrapper.metatype as Type<unknown> | null;
        if (typeof type !== 'function' || isLibrary(type) || seen.has(type)) continue;
        seen.add(type);
        const params = (Reflect.getMetadata('design:paramtypes', type) ?? []) as unknown[];
        const injects = params.filter((p): p is Type<unknown> => typeof p === 'function' && isLibrary(p)).map((p) => p.name);
        classes.push({ type, injects });
        const proto = type.prototype as Record<string, unknown> | undefined;
        if (!proto) continue;
        for (const name of scanner.getAllMethodNames(proto)) {
          methods.push({ type, name, fn: proto[name], controller, label: `${type.name}.${name}` });
        }
      }
    }
    return (this.scanned = { classes, methods });
  }
}

export function isLibrary(type: unknown): boolean {
  return (type as { [LIBRARY]?: true })[LIBRARY] === true;
}
