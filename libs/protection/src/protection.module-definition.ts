import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { ProtectionModuleOptions } from './protection-options.interface';

/**
 * `forRoot` / `forRootAsync` come from Nest's builder. The module is global unless
 * `isGlobal: false`, so decorators work in every module after one import.
 */
export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: RAW_PROTECTION_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ProtectionModuleOptions>({ moduleName: 'Protection' })
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
