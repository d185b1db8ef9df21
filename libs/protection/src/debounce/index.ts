export { Debounce } from './debounce.decorator';
export type { DebounceOptions } from './debounce-options.interface';
export { DebouncedException } from './debounce.exception';
