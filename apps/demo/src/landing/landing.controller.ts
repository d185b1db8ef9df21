import { Controller, Get, Header } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiExcludeController } from '@nestjs/swagger';
import { landingPage } from './landing.html';
import { LANDING_SCRIPT } from './landing.script';
import { LANDING_STYLE } from './landing.style';

/**
 * The clickable tour at `/`: one card per protection calling the fixture routes, plus its
 * script and style. Not an API, so not in the OpenAPI document.
 */
@ApiExcludeController()
@Controller()
export class LandingController {
  private readonly html: string;

  constructor(adapter: HttpAdapterHost) {
    this.html = landingPage(adapter.httpAdapter.getType());
  }

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  page(): string {
    return this.html;
  }

  @Get('demo.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  script(): string {
    return LANDING_SCRIPT;
  }

  @Get('demo.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  style(): string {
    return LANDING_STYLE;
  }
}
