import { Injectable } from '@nestjs/common';
import { TerminalContext, type TerminalInfo } from './terminal.context';
import { LIBRARY, READS_CONTEXT } from '../core/async-context';

/** Injectable access to the current request's terminal info (same as `TerminalContext.current()`). */
@Injectable()
export class TerminalService {
  static readonly [LIBRARY] = true;
  static readonly [READS_CONTEXT] = true;

  current(): TerminalInfo {
    return TerminalContext.current();
  }

  get ip(): string {
    return this.current().ip;
  }

  get locale(): string {
    return this.current().locale;
  }

  get timezone(): string {
    return this.current().timezone;
  }

  get requestId(): string {
    return this.current().requestId;
  }
}
