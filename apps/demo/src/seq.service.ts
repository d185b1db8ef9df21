import { Injectable } from '@nestjs/common';

/** The shared per-process counter `seq` the fixtures echo (spec README section 7). */
@Injectable()
export class SeqService {
  private value = 0;

  next(): number {
    return ++this.value;
  }
}
