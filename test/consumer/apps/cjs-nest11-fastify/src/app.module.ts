import { Module } from '@nestjs/common';
import { ProtectionModule } from 'nest-protection';
import { AppController } from './app.controller';
import { AppService } from './app.service';

// CAPTCHA_PLAINTEXT=1 serves each CAPTCHA code as plain text, so a test can read it.
const plaintext = process.env.CAPTCHA_PLAINTEXT === '1';

@Module({
  imports: [
    ProtectionModule.forRoot({
      // REDIS_URL asks for the Redis store, which needs ioredis (not installed here).
      ...(process.env.REDIS_URL
        ? { secret: process.env.PROTECTION_SECRET ?? '', store: { redis: process.env.REDIS_URL } }
        : {}),
      firstBlood: plaintext
        ? { render: (code) => ({ contentType: 'text/plain; charset=utf-8', body: code }) }
        : {},
    }),
  ],
  controllers: [AppController],
  providers: [AppService],
})
export class AppModule {}
