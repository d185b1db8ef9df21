import { Module, type DynamicModule } from '@nestjs/common';
import { ProtectionModule, type ProtectionModuleOptions } from 'nest-protection';
import { CaptchaController } from './fixtures/captcha.controller';
import { DebounceController } from './fixtures/debounce.controller';
import { DoubleKillController, SlowJobs } from './fixtures/double-kill.controller';
import { PageController } from './fixtures/page.controller';
import { RateLimitController } from './fixtures/rate-limit.controller';
import { RighterController } from './fixtures/righter.controller';
import { SessionController } from './fixtures/session.controller';
import { SignedController } from './fixtures/signed.controller';
import { GreetingService, TerminalController } from './fixtures/terminal.controller';
import { LandingController } from './landing/landing.controller';
import { DemoMetricsModule } from './metrics';
import { SeqService } from './seq.service';

/** The demo: fixture controllers at fixed paths, protected by one module import. */
@Module({})
export class AppModule {
  static forRoot(protection: ProtectionModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [ProtectionModule.forRoot(protection), DemoMetricsModule],
      controllers: [
        SessionController,
        DebounceController,
        RighterController,
        TerminalController,
        CaptchaController,
        PageController,
        DoubleKillController,
        RateLimitController,
        SignedController,
        LandingController,
      ],
      providers: [SeqService, GreetingService, SlowJobs],
    };
  }
}
