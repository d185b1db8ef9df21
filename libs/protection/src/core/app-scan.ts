import { Injectable, type Type } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import { LIBRARY, READS_CONTEXT } from './async-context';

/** A method of one of the app's own controllers or providers. */
export interface AppMethod {
  readonly type: Type<unknown>;
  readonly name: string;
  readonly fn: unknown;
  readonly controller: boolean;
  /** `Class.method`, for boot messages. */
  readonly label: string;
}

/** An app class: its instance (the one Nest made at boot, if any) and what it injects. */
export interface AppClass {
  readonly type: Type<unknown>;
  /** Nest's instances of a static provider (one per module that declares it). */
  readonly instances: object[];
  /** False when some registration is request-scoped or transient: instances are made later. */
  isStatic: boolean;
  /** Names of the injected library services that read the request context. */
  readonly contextReaders: readonly string[];
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

  constructor(private readonly discovery: DiscoveryService) {}

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
    const seen = new Map<unknown, AppClass>();
    const scanner = new MetadataScanner();
    const wrappers: Array<[InstanceWrapper, boolean]> = [
      ...this.discovery.getControllers().map((w) => [w, true] as [InstanceWrapper, boolean]),
      ...this.discovery.getProviders().map((w) => [w, false] as [InstanceWrapper, boolean]),
    ];
    for (const [wrapper, controller] of wrappers) {
      const type = wrapper.metatype as Type<unknown> | null;
      if (typeof type !== 'function' || isLibrary(type) || isLibrary(wrapper.host?.metatype))
        continue;
      const isStatic = wrapper.isDependencyTreeStatic() && !wrapper.isTransient;
      const instance =
        isStatic && typeof wrapper.instance === 'object' && wrapper.instance !== null
          ? (wrapper.instance as object)
          : undefined;
      const known = seen.get(type);
      if (known) {
        if (instance) known.instances.push(instance);
        known.isStatic &&= isStatic;
        continue;
      }
      const params = (Reflect.getMetadata('design:paramtypes', type) ?? []) as unknown[];
      const contextReaders = params
        .filter(
          (p): p is Type<unknown> =>
            typeof p === 'function' && (p as { [READS_CONTEXT]?: true })[READS_CONTEXT] === true,
        )
        .map((p) => p.name);
      const entry: AppClass = {
        type,
        instances: instance ? [instance] : [],
        isStatic,
        contextReaders,
      };
      seen.set(type, entry);
      classes.push(entry);
      const proto = type.prototype as Record<string, unknown> | undefined;
      if (!proto) continue;
      for (const name of scanner.getAllMethodNames(proto)) {
        methods.push({ type, name, fn: proto[name], controller, label: `${type.name}.${name}` });
      }
    }
    return (this.scanned = { classes, methods });
  }
}

export function isLibrary(type: unknown): boolean {
  return (type as { [LIBRARY]?: true })[LIBRARY] === true;
}
