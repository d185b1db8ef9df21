import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter());
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle('Shop').build(),
  );
  SwaggerModule.setup('docs', app, document);
  await app.listen(Number(process.env.PORT), '127.0.0.1');
  console.log(`listening on ${await app.getUrl()}`);
}

void bootstrap();
