import { Module } from '@nestjs/common';
import { ProtectionModule } from 'nest-protection';
import { AppController } from './app.controller';
import { AppService } from './app.service';

// CAPTCHA_PLAINTEXT=1 serves each CAPTCHA code as plain text, so a test can read it.
const plaintext = process.env.CAPTCHA_PLAINTEXT === '1';

@Module({
  imports: [
    plaintext
      ? ProtectionModule.forRoot({
          firstBlood: {
            render: (code) => ({ contentType: 'text/plain; charset=utf-8', body: code }),
          },
        })
      : ProtectionModule.forRoot(), // memory store, every protection on, svg-captcha images
  ],
  controllers: [AppController],
  providers: [AppService],
})
export class AppModule {}
