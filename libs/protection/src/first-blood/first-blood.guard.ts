import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DecisionPoint, passShadow, SHADOWED } from '../core/decision-point';
import type { ProtectionMode } from '../core/decisions';
import { guardedCall, HandlerMetadataCache } from '../core/handler-metadata';
import { requestHeader, requestUrl } from '../core/http.adapter';
import type { ProtectionRequest, ProtectionResponse } from '../core/http.types';
import { sha256 } from '../core/hash';
import { readCookie } from '../core/identity';
import { RawReplyException } from '../core/raw-reply';
import { RequestContext } from '../core/request-context';
import { routeKey as matchedRouteKey } from '../core/route-key';
import { SignedIds } from '../core/signed-ids';
import type {
  ResolvedFirstBloodOptions,
  ResolvedProtectionOptions,
} from '../protection-options.factory';
import { PROTECTION_OPTIONS } from '../protection.constants';
import { messages } from '../protection.messages';
import { ProtectionStore } from '../protection.store';
import { storeFailure } from '../store/store-failure.policy';
import { StoreUnavailableError } from '../store/store.errors';
import { generateCode } from './captcha.code';
import { builtInImage, renderSvg, toDataUrl } from './captcha.image';
import { captchaParams, normalizeCode } from './captcha.params';
import type { FirstBloodRouteOptions } from './first-blood-options.interface';
import {
  CAPTCHA_REQUIRED,
  CaptchaImageLimitException,
  CaptchaRequiredException,
} from './first-blood.exception';
import { FirstBloodMetadata } from './first-blood.metadata';

const FEATURE = 'FirstBlood';
/** A challenge (code, retries) lives this long after its last change. */
const STATE_TTL_MS = 3_600_000;
const TICKET_COOKIE_MAX_AGE = 600;
const HOUR_MS = 3_600_000;
const NO_CACHE = {
  'cache-control': 'no-store, no-cache, must-revalidate',
  pragma: 'no-cache',
  expires: '0',
};

/**
 * Applied by `@FirstBlood` to its route. Decides whether the request runs, needs a CAPTCHA
 * (406 with a server-issued ticket), or is an image request answered here.
 */
@Injectable()
export class FirstBloodGuard implements CanActivate {
  private readonly routes: HandlerMetadataCache<FirstBloodRouteOptions>;
  /** Client tickets: issued here, so an invented or altered one is recognised without a lookup. */
  private readonly tickets: SignedIds;
  private readonly point: DecisionPoint;

  constructor(
    reflector: Reflector,
    @Inject(PROTECTION_OPTIONS) private readonly options: ResolvedProtectionOptions,
    @Inject(ProtectionStore) private readonly store: ProtectionStore,
  ) {
    this.routes = new HandlerMetadataCache(reflector, FirstBloodMetadata.KEY);
    this.tickets = new SignedIds(options.secrets, 'first-blood ticket');
    this.point = new DecisionPoint('firstBlood', options.decisions);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const settings = this.options.firstBlood;
    const call = guardedCall(context, settings !== null, this.routes);
    if (!settings || !call) return true;
    const { route, req, res } = call;
    const mode = route.mode ?? settings.mode;
    try {
      await this.decide(req, res, route, settings, mode);
      this.point.allowed(req);
      return true;
    } catch (err) {
      // Shadow mode: a refusal was reported, and the request goes on.
      if (!(err instanceof StoreUnavailableError)) return passShadow(err);
      storeFailure(this.point, FEATURE, req, res, mode, settings.onStoreError, err);
      return true;
    }
  }

  private async decide(
    req: ProtectionRequest,
    res: ProtectionResponse,
    route: FirstBloodRouteOptions,
    settings: ResolvedFirstBloodOptions,
    mode: ProtectionMode,
  ): Promise<boolean> {
    const ctx = RequestContext.of(req, res, this.options);
    const url = requestUrl(req);
    // The matched route, never the URL as spelled: `/a/%63aptcha` or `/A/captcha/` is one route.
    const matched = matchedRouteKey(req);
    const routeKey = matched.length <= 200 ? matched : sha256(matched);
    // Free passes and attempt budgets count by what a client cannot change for free: the
    // authenticated user, else the client address key (never a ticket, session or User-Agent).
    const client = `${routeKey}|${ctx.abuseKey}`;
    const presented =
      requestHeader(req, settings.ticketName) ?? readCookie(req, settings.ticketName);
    // An invented or forged ticket is no ticket: it earns nothing and is replaced.
    const ticket =
      presented !== undefined && this.tickets.verify(presented) ? presented : undefined;
    const free = (): Promise<boolean> =>
      route.first > 0
        ? this.store.records.consumeOnce(`captcha-free:{${client}}`, route.first * 1000)
        : Promise.resolve(false);

    const handler = settings.handlers.find((h) => h.accepts(route.scene));
    if (handler) {
      if (await free()) return true;
      if (
        await handler.handle({
          request: req,
          response: res,
          scene: route.scene,
          route,
          identity: ctx.identity,
          ticket,
        })
      ) {
        return true;
      }
      return this.challenge(req, res, ticket ?? this.tickets.mint(), settings, mode);
    }
    if (!builtInImage(route.scene)) {
      throw new Error(messages.firstBloodNoHandler(route.scene));
    }

    const { quest, check } = captchaParams(req, url, settings);
    if (quest !== undefined) {
      if (!ticket) return this.challenge(req, res, this.tickets.mint(), settings, mode);
      return this.image(
        req,
        res,
        ticket,
        { routeKey, client, guess: quest },
        route,
        settings,
        mode,
      );
    }
    if (check !== undefined && ticket) {
      const [budget, result] = await Promise.all([
        this.store.captcha.spend(`guess|${client}`, settings.guessesPerHour, HOUR_MS),
        this.store.captcha.check(ticket, routeKey, normalizeCode(check, settings), STATE_TTL_MS),
      ]);
      // Over the budget, the verdict stays unknown, right or wrong.
      if (!budget.allowed) this.limited(req, res, budget.retryAfterMs, mode);
      if (result === 'ok') return true;
      return this.challenge(req, res, ticket, settings, mode);
    }
    if (await free()) return true;
    return this.challenge(req, res, ticket ?? this.tickets.mint(), settings, mode);
  }

  /** The image request: a pre-check answer, a new image, or 429. The handler never runs. */
  private async image(
    req: ProtectionRequest,
    res: ProtectionResponse,
    ticket: string,
    { routeKey, client, guess }: { routeKey: string; client: string; guess: string },
    route: FirstBloodRouteOptions,
    settings: ResolvedFirstBloodOptions,
    mode: ProtectionMode,
  ): Promise<never> {
    const code = generateCode(settings.length, settings.font !== undefined);
    const captcha = this.store.captcha;
    const spent = [captcha.spend(`image|${client}`, settings.imagesPerHour, HOUR_MS)];
    // An image request carrying a code is a guess too (its answer says whether it matched).
    if (guess.trim() !== '')
      spent.push(captcha.spend(`guess|${client}`, settings.guessesPerHour, HOUR_MS));
    const questing = captcha.quest({
      ticket,
      route: routeKey,
      guess: normalizeCode(guess, settings),
      code: normalizeCode(code, settings),
      codeTtlMs: route.blood * 1000,
      retries: route.retry,
      imagesPerMinute: settings.imagesPerMinute,
      stateTtlMs: STATE_TTL_MS,
    });
    const [budgets, { result, retryAfterMs }] = await Promise.all([Promise.all(spent), questing]);
    const refused = budgets.find((b) => !b.allowed);
    if (refused) this.limited(req, res, refused.retryAfterMs, mode);
    if (result === 'limited') {
      const wait = Math.max(1, Math.ceil(retryAfterMs / 1000));
      this.point.refuse(req, res, mode, new CaptchaImageLimitException(wait));
      throw SHADOWED;
    }
    if (result === 'same') {
      throw new RawReplyException({ status: 200, headers: { ...NO_CACHE }, body: Buffer.alloc(0) });
    }
    const image = settings.render ? settings.render(code) : renderSvg(code, settings.font);
    const base64 = (requestHeader(req, 'accept') ?? '').includes(settings.base64Accept);
    const body = base64 ? Buffer.from(toDataUrl(image)) : Buffer.from(image.body);
    const contentType = base64 ? 'text/plain; charset=utf-8' : image.contentType;
    throw new RawReplyException({
      status: 200,
      headers: { 'content-type': contentType, ...NO_CACHE },
      body,
    });
  }

  /** 429: this client address spent its hourly guesses or images on the route. */
  private limited(
    req: ProtectionRequest,
    res: ProtectionResponse,
    retryAfterMs: number,
    mode: ProtectionMode,
  ): never {
    const wait = Math.max(1, Math.ceil(retryAfterMs / 1000));
    this.point.refuse(req, res, mode, new CaptchaImageLimitException(wait, 'address'));
    throw SHADOWED;
  }

  /** 406 with the ticket in a header and in exactly one cookie. */
  private challenge(
    req: ProtectionRequest,
    res: ProtectionResponse,
    ticket: string,
    settings: ResolvedFirstBloodOptions,
    mode: ProtectionMode,
  ): never {
    const headers = {
      [settings.ticketName]: ticket,
      'Set-Cookie': `${settings.ticketName}=${ticket}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${TICKET_COOKIE_MAX_AGE}`,
    };
    this.point.refusePreset(
      req,
      res,
      mode,
      CAPTCHA_REQUIRED,
      settings.response,
      (body, status) => new CaptchaRequiredException(body, status, headers),
    );
    throw SHADOWED;
  }
}
