import { randomInt } from 'node:crypto';

/** Letters and digits without look-alikes (0/O/o, 1/l/I/i). */
export const CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz';

/** Common, visually distinct CJK characters for codes when a CJK font is configured. */
export const CJK_CHARACTERS =
  '天地人山水火木金土日月风云雨雪花草鸟鱼马牛羊犬龙虎东西南北中上下左右大小多少高长白红黄青春夏秋冬';

/**
 * A code from a cryptographic random source (never Math.random). With `cjk`, the first
 * character is CJK and the rest alphanumeric, like the original library.
 */
export function generateCode(length: number, cjk = false): string {
  let code = '';
  for (let i = 0; i < length; i++) {
    code +=
      cjk && i === 0
        ? CJK_CHARACTERS[randomInt(CJK_CHARACTERS.length)]
        : CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  }
  return code;
}
