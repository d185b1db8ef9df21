import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module.js';

const app = await NestFactory.create<NestExpressApplication>(AppModule);
const document = SwaggerModule.createDocument(app, new DocumentBuilder().setTitle('Shop').build());
SwaggerModule.setup('docs', app, document);
await app.listen(Number(process.env.PORT), '127.0.0.1');
console.log(`listening on ${await app.getUrl()}`);
