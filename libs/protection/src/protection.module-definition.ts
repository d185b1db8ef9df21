import {
  ConfigurableModuleBuilder,
  type ConfigurableModuleAsyncOptions,
  type ConfigurableModuleCls,
} from '@nestjs/common';
import type { ProtectionModuleOptions } from './protection-options.interface';

/** `forRootAsync` options: `useFactory` / `useClass` / `useExisting`, plus `isGlobal`. */
export type ProtectionModuleAsyncOptions = ConfigurableModuleAsyncOptions<
  ProtectionModuleOptions,
  'create'
> & {
  /** Register the module globally (decorators work in every module after one import). @default true */
  isGlobal?: boolean;
};

const built = new ConfigurableModuleBuilder<ProtectionModuleOptions>({ moduleName: 'Protection' })
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();

/*
 * `forRoot` / `forRootAsync` come from Nest's builder. The module is global unless
 * `isGlobal: false`, so decorators work in every module after one import. The types are
 * written out: inferred ones would put `import("@nestjs/common", { with: ... })` into the
 * declarations, which TypeScript before 5.3 cannot read.
 */
export const ConfigurableModuleClass: ConfigurableModuleCls<
  ProtectionModuleOptions,
  'forRoot',
  'create',
  { isGlobal: boolean }
> = built.ConfigurableModuleClass;
export const RAW_PROTECTION_OPTIONS: string | symbol = built.MODULE_OPTIONS_TOKEN;
