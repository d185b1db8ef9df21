import { Injectable } from '@nestjs/common';

/** The per-process counter `seq` the fixtures echo, so a client can tell which call ran the handler. */
@Injectable()
export class SeqService {
  private value = 0;

  next(): number {
    return ++this.value;
  }
}
